package io.mepsidecar.k8s;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The keys of values.yaml and the ones that carry a "# -- description" comment. */
final class ValuesDoc {

    private static final Pattern KEY = Pattern.compile("^( *)([A-Za-z0-9_.-]+):.*$");

    private ValuesDoc() {
    }

    /** Dotted paths of the keys right below a "# --" comment. */
    static List<String> documentedKeys(Path valuesYaml) {
        List<String> documented = new ArrayList<>();
        List<String> path = new ArrayList<>();
        boolean described = false;
        try {
            for (String line : Files.readAllLines(valuesYaml)) {
                String trimmed = line.trim();
                if (trimmed.isEmpty()) {
                    described = false;
                } else if (trimmed.startsWith("#")) {
                    described |= trimmed.startsWith("# -- ");
                } else {
                    Matcher key = KEY.matcher(line);
                    if (key.matches()) {
                        int depth = key.group(1).length() / 2;
                        path.subList(Math.min(depth, path.size()), path.size()).clear();
                        path.add(key.group(2));
                        if (described) {
                            documented.add(String.join(".", path));
                        }
                    }
                    described = false;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return documented;
    }

    /** Dotted paths of every value that is not a map with keys (scalars, lists, empty maps). */
    static List<String> leafKeys(JsonNode values) {
        List<String> leaves = new ArrayList<>();
        collect(values, "", leaves);
        return leaves;
    }

    private static void collect(JsonNode node, String path, List<String> leaves) {
        if (node.isObject() && node.size() > 0) {
            node.fields().forEachRemaining(f -> collect(f.getValue(), path.isEmpty() ? f.getKey() : path + "." + f.getKey(), leaves));
        } else {
            leaves.add(path);
        }
    }
}
