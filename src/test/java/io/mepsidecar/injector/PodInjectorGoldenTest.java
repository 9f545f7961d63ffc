package io.mepsidecar.injector;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.zjsonpatch.JsonPatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each directory under {@code src/test/resources/injector} with a {@code pod.json} is a case: the pod goes through
 * {@link PodInjector}; the patch must equal {@code patch.json}, the patched pod {@code expected-pod.json}, and the
 * decision (mode or skip reason, warnings) {@code decision.json}. Regenerate them on purpose with
 * {@code ./mvnw -o -q test -Dtest=PodInjectorGoldenTest -Dinjector.golden.update=true} and review the diff.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PodInjectorGoldenTest {

    static Stream<String> cases() throws IOException {
        try (Stream<Path> dirs = Files.list(GoldenFiles.ROOT)) {
            return dirs.filter(dir -> Files.exists(dir.resolve("pod.json")))
                    .map(dir -> dir.getFileName().toString()).sorted().toList().stream();
        }
    }

    @Order(1)
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void patchAppliedToThePodGivesTheExpectedPod(String name) {
        Path dir = GoldenFiles.ROOT.resolve(name);
        JsonNode pod = GoldenFiles.readJson(dir.resolve("pod.json"));
        InjectionDecision decision = new PodInjector(GoldenFiles.config(dir)).decide(pod.deepCopy());
        ArrayNode patch = decision.patch().orElse(GoldenFiles.JSON.createArrayNode());
        JsonNode patched = JsonPatch.apply(patch, pod);
        if (GoldenFiles.UPDATE) {
            GoldenFiles.write(dir.resolve("patch.json"), patch);
            GoldenFiles.write(dir.resolve("expected-pod.json"), patched);
            GoldenFiles.write(dir.resolve("decision.json"), describe(decision));
        }
        assertThat(patch).as("patch").isEqualTo(GoldenFiles.readJson(dir.resolve("patch.json")));
        assertThat(patched).as("patched pod").isEqualTo(GoldenFiles.readJson(dir.resolve("expected-pod.json")));
        assertThat(describe(decision)).as("decision").isEqualTo(GoldenFiles.readJson(dir.resolve("decision.json")));
    }

    /** After the comparison, which writes the expected pods in update mode. */
    @Order(2)
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void expectedPodHasOnlyFieldsKubernetesKnows(String name) {
        String expected = GoldenFiles.read(GoldenFiles.ROOT.resolve(name).resolve("expected-pod.json"));

        assertThat(KubernetesModelCheck.unknownFields(expected)).isEmpty();
    }

    private static ObjectNode describe(InjectionDecision decision) {
        ObjectNode node = GoldenFiles.JSON.createObjectNode().put("injected", decision.injected());
        decision.mode().ifPresent(mode -> node.put("mode", mode.label()));
        decision.skipReason().ifPresent(reason -> node.put("reason", reason.label()));
        ArrayNode warnings = node.putArray("warnings");
        decision.warnings().forEach(warnings::add);
        return node;
    }
}
