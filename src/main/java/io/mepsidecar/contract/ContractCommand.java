package io.mepsidecar.contract;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code java -jar quarkus-run.jar contract export [<contract.yaml>] [--output <file>] [--title <title>]}: writes
 * the contract as an AsyncAPI 3.0.0 document ({@link AsyncApiExport}). Runs without Quarkus. The contract defaults
 * to {@code MEP_CONTRACT}, else {@code /etc/mep/contract.yaml}, as for the sidecar; the document goes to standard
 * output unless {@code --output} names a file. Exit codes: 0 done, 1 the contract cannot be read or the output
 * cannot be written, 2 a usage error.
 */
public final class ContractCommand {

    /** Exit code of a contract that cannot be read, or an output that cannot be written. */
    public static final int CONTRACT_ERROR = 1;
    /** Exit code of arguments the command does not understand. */
    public static final int USAGE_ERROR = 2;
    /** The sidecar's default {@code mep.contract}. */
    static final String DEFAULT_CONTRACT = "/etc/mep/contract.yaml";
    static final String USAGE = """
            usage: contract export [<contract.yaml>] [--output <file>] [--title <title>]
              Writes the contract as an AsyncAPI 3.0.0 document.
              <contract.yaml>   the contract (YAML or AsyncAPI 3); default: $MEP_CONTRACT, else %s
              --output <file>   write the document to <file> instead of standard output
              --title <title>   info.title of the document; default: the contract's file name without extension
            """.formatted(DEFAULT_CONTRACT);

    private ContractCommand() {
    }

    public static void main(String... args) {
        System.exit(run(Arrays.asList(args), System.getenv(), System.out, System.err));
    }

    /** Runs the command; returns its exit code. */
    public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        if (args.size() == 1 && (args.get(0).equals("--help") || args.get(0).equals("-h"))) {
            out.print(USAGE);
            return 0;
        }
        if (args.isEmpty() || !args.get(0).equals("export")) {
            return usage(err, args.isEmpty() ? "name a subcommand" : "unknown subcommand '" + args.get(0) + "'");
        }
        Path contract = null;
        Path output = null;
        String title = null;
        List<String> rest = new ArrayList<>(args.subList(1, args.size()));
        for (int i = 0; i < rest.size(); i++) {
            String arg = rest.get(i);
            switch (arg) {
                case "--help", "-h" -> {
                    out.print(USAGE);
                    return 0;
                }
                case "--output", "--title" -> {
                    if (i + 1 >= rest.size() || rest.get(i + 1).isBlank()) {
                        return usage(err, arg + " needs a value");
                    }
                    String value = rest.get(++i);
                    if (arg.equals("--output")) {
                        output = Path.of(value);
                    } else {
                        title = value;
                    }
                }
                default -> {
                    if (arg.startsWith("-")) {
                        return usage(err, "unknown option '" + arg + "'");
                    }
                    if (contract != null) {
                        return usage(err, "one contract only; got '" + contract + "' and '" + arg + "'");
                    }
                    contract = Path.of(arg);
                }
            }
        }
        if (contract == null) {
            String configured = env.get("MEP_CONTRACT");
            contract = Path.of(configured == null || configured.isBlank() ? DEFAULT_CONTRACT : configured);
        }
        return export(contract, output, title == null ? titleOf(contract) : title, out, err);
    }

    private static int export(Path contractFile, Path output, String title, PrintStream out, PrintStream err) {
        String document;
        try {
            document = AsyncApiExport.toYaml(ContractParser.parse(contractFile), title);
        } catch (ContractException e) {
            err.println("contract export: " + e.getMessage());
            return CONTRACT_ERROR;
        }
        if (output == null) {
            out.print(document);
            out.flush();
            return 0;
        }
        try {
            Files.writeString(output, document, StandardCharsets.UTF_8);
            return 0;
        } catch (IOException e) {
            err.println("contract export: cannot write " + output + " (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + ")");
            return CONTRACT_ERROR;
        }
    }

    /** The file name without its extension: {@code contract} for {@code /etc/mep/contract.yaml}. */
    static String titleOf(Path contract) {
        Path fileName = contract.getFileName();
        String name = fileName == null ? "contract" : fileName.toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    private static int usage(PrintStream err, String problem) {
        err.println("contract: " + problem);
        err.print(USAGE);
        return USAGE_ERROR;
    }
}
