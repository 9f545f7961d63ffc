package io.mepsidecar.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code contract export} as a user runs it: arguments in, document, messages and exit code out. */
class AsyncApiExportCommandTest {

    private static final Path EXAMPLE = Path.of("examples/contract.yaml");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Map<String, String> env, String... args) {
        return ContractCommand.run(List.of(args), env,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void writesTheDocumentToStandardOutput() throws IOException {
        assertThat(run(Map.of(), "export", EXAMPLE.toString())).isZero();

        assertThat(out()).isEqualTo(Files.readString(Path.of("examples/asyncapi.yaml")));
        assertThat(err()).isEmpty();
    }

    @Test
    void writesTheDocumentToTheOutputFileWithTheTitleGiven(@TempDir Path dir) throws IOException {
        Path output = dir.resolve("shop-asyncapi.yaml");

        assertThat(run(Map.of(), "export", "--output", output.toString(), EXAMPLE.toString(), "--title", "Shop"))
                .isZero();

        assertThat(out()).isEmpty();
        assertThat(Files.readString(output)).contains("title: Shop");
        assertThat(ContractParser.parse(output).operations())
                .containsExactlyElementsOf(ContractParser.parse(EXAMPLE).operations());
    }

    @Test
    void readsTheContractTheSidecarReadsWhenNoneIsGiven() {
        assertThat(run(Map.of("MEP_CONTRACT", EXAMPLE.toString()), "export")).isZero();
        assertThat(out()).contains("address: quotes.get-quote");

        out.reset();
        assertThat(run(Map.of(), "export")).isEqualTo(ContractCommand.CONTRACT_ERROR);
        assertThat(err()).contains("/etc/mep/contract.yaml does not exist");
    }

    @Test
    void aContractErrorExitsWithOne(@TempDir Path dir) throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.yaml"), """
                operations:
                  ping:
                    pattern: request-reply
                    topik: ping
                """);

        assertThat(run(Map.of(), "export", bad.toString())).isEqualTo(1);

        assertThat(out()).isEmpty();
        assertThat(err()).contains("contract export:").contains("bad.yaml").contains("unknown key 'topik'");
    }

    @Test
    void anOutputThatCannotBeWrittenExitsWithOne(@TempDir Path dir) {
        Path output = dir.resolve("missing-dir/asyncapi.yaml");

        assertThat(run(Map.of(), "export", EXAMPLE.toString(), "--output", output.toString())).isEqualTo(1);

        assertThat(err()).contains("cannot write " + output);
    }

    @Test
    void usageErrorsExitWithTwoAndShowTheUsage() {
        assertThat(run(Map.of())).isEqualTo(2);
        assertThat(err()).contains("name a subcommand").contains("usage: contract export");

        err.reset();
        assertThat(run(Map.of(), "import", "x.yaml")).isEqualTo(2);
        assertThat(err()).contains("unknown subcommand 'import'");

        err.reset();
        assertThat(run(Map.of(), "export", "--output")).isEqualTo(2);
        assertThat(err()).contains("--output needs a value");

        err.reset();
        assertThat(run(Map.of(), "export", "--format", "json")).isEqualTo(2);
        assertThat(err()).contains("unknown option '--format'");

        err.reset();
        assertThat(run(Map.of(), "export", "a.yaml", "b.yaml")).isEqualTo(2);
        assertThat(err()).contains("one contract only");
        assertThat(out()).isEmpty();
    }

    @Test
    void helpGoesToStandardOutput() {
        assertThat(run(Map.of(), "export", "--help")).isZero();
        assertThat(out()).startsWith("usage: contract export").contains("MEP_CONTRACT");
    }
}
