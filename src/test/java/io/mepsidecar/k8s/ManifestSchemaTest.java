package io.mepsidecar.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every object the chart renders (defaults, and every optional part on) and every file in k8s/ is checked twice:
 * by fabric8's typed models (wrong types, unknown fields) and by the Kubernetes API schemas of the npm package
 * kubernetes-models (types, enums, required fields).
 */
class ManifestSchemaTest {

    private static final Path K8S = Manifests.BASE_DIR.resolve("k8s");
    private static final Path BROKEN = Manifests.BASE_DIR.resolve("src/test/resources/io/mepsidecar/k8s/broken-deployments.yaml");
    private static final Set<String> CERTIFICATE_SPEC = Set.of("secretName", "commonName", "dnsNames", "ipAddresses",
            "duration", "renewBefore", "privateKey", "usages", "issuerRef", "subject", "isCA", "secretTemplate");
    private static final Set<String> ISSUER_SPEC = Set.of("selfSigned", "ca", "acme", "vault", "venafi");

    private static String defaults;
    private static String everything;

    @BeforeAll
    static void render() {
        defaults = Chart.template(Map.of());
        everything = Chart.template(Chart.everythingOn());
    }

    @Test
    void renderedObjectsMatchTheFabric8Models() {
        assertFabric8Reads(Manifests.parse(defaults).objects());
        assertFabric8Reads(Manifests.parse(everything).objects());
    }

    @Test
    void plainManifestsMatchTheFabric8Models() {
        for (Path file : k8sFiles()) {
            assertFabric8Reads(Manifests.read(file).objects());
        }
        assertThat(k8sFiles()).extracting(p -> p.getFileName().toString()).containsExactlyInAnyOrder(
                "contract-configmap.yaml", "quote-service.yaml", "quote-caller.yaml", "podmonitor.yaml");
    }

    @Test
    void monitoringObjectsHaveTypedModels() {
        Manifests manifests = Manifests.parse(everything);

        assertThat(Fabric8Validator.hasModel(manifests.get("PodMonitor", Chart.RELEASE))).isTrue();
        assertThat(Fabric8Validator.hasModel(manifests.get("PrometheusRule", Chart.RELEASE))).isTrue();
    }

    @Test
    void certManagerObjectsHaveTheirKnownShape() {
        Manifests manifests = Manifests.parse(everything);
        ObjectNode certificate = manifests.get("Certificate", Chart.RELEASE + "-tls");
        ObjectNode issuer = manifests.get("Issuer", Chart.RELEASE + "-selfsigned");

        assertThat(certificate.path("apiVersion").asText()).isEqualTo("cert-manager.io/v1");
        assertThat(fieldNames(certificate.path("spec"))).isSubsetOf(CERTIFICATE_SPEC).contains("secretName", "issuerRef");
        assertThat(fieldNames(certificate.path("spec").path("issuerRef"))).isSubsetOf("name", "kind", "group");
        assertThat(fieldNames(certificate.path("spec").path("privateKey")))
                .isSubsetOf("algorithm", "size", "encoding", "rotationPolicy");
        assertThat(certificate.path("spec").path("dnsNames").isArray()).isTrue();
        assertThat(issuer.path("apiVersion").asText()).isEqualTo("cert-manager.io/v1");
        assertThat(fieldNames(issuer.path("spec"))).isSubsetOf(ISSUER_SPEC).hasSize(1);

        ObjectNode ca = manifests.get("Certificate", Chart.RELEASE + "-ca");
        ObjectNode caIssuer = manifests.get("Issuer", Chart.RELEASE + "-ca");
        assertThat(ca.path("apiVersion").asText()).isEqualTo("cert-manager.io/v1");
        assertThat(fieldNames(ca.path("spec"))).isSubsetOf(CERTIFICATE_SPEC).contains("secretName", "issuerRef", "isCA");
        assertThat(ca.path("spec").path("isCA").isBoolean()).isTrue();
        assertThat(fieldNames(ca.path("spec").path("issuerRef"))).isSubsetOf("name", "kind", "group");
        assertThat(fieldNames(ca.path("spec").path("privateKey")))
                .isSubsetOf("algorithm", "size", "encoding", "rotationPolicy");
        assertThat(caIssuer.path("apiVersion").asText()).isEqualTo("cert-manager.io/v1");
        assertThat(fieldNames(caIssuer.path("spec"))).containsExactly("ca");
        assertThat(fieldNames(caIssuer.path("spec").path("ca"))).containsExactly("secretName");
    }

    @Test
    void everyManifestMatchesTheKubernetesApiSchemas() {
        List<Path> files = new ArrayList<>(k8sFiles());
        files.add(NodeSchemaValidator.write("chart-defaults.yaml", defaults));
        files.add(NodeSchemaValidator.write("chart-everything-on.yaml", everything));
        files.add(NodeSchemaValidator.write("chart-plain-sidecar-1.28.yaml",
                Chart.template("1.28.0", Map.of("injector.podDisruptionBudget.minAvailable", "50%"))));

        NodeSchemaValidator.Result result = NodeSchemaValidator.validate(files);

        assertThat(result.problems()).as(result.log()).isEmpty();
        assertThat(result.exitCode()).as(result.log()).isZero();
        assertThat(result.log()).contains("0 problem(s)");
        assertThat(result.log()).as("CRDs are left to fabric8 and the cert-manager checks")
                .contains("not checked (no schema for monitoring.coreos.com/v1 PodMonitor)");
    }

    @Test
    void fabric8ReportsAMisspeltFieldAndAStringWhereAnIntegerGoes() {
        Manifests broken = Manifests.read(BROKEN);

        assertThat(Fabric8Validator.problems(broken.get("Deployment", "misspelt-field"))).containsExactly(
                "Deployment/misspelt-field: spec.template.spec.containers[0].imagePulPolicy: unknown field (not in the Container model)");
        assertThat(Fabric8Validator.problems(broken.get("Deployment", "replicas-as-text")))
                .singleElement().asString().startsWith("Deployment/replicas-as-text: ").contains("\"two\"");
        assertThat(Fabric8Validator.problems(broken.get("Deployment", "container-without-name")))
                .as("fabric8 does not check required fields: the schema check does").isEmpty();
    }

    @Test
    void schemaCheckReportsAStringWhereAnIntegerGoesAndAMissingContainerName() {
        NodeSchemaValidator.Result result = NodeSchemaValidator.validate(List.of(BROKEN));

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.problems()).containsExactlyInAnyOrder(
                BROKEN + ": Deployment/replicas-as-text: /spec/replicas: must be integer",
                BROKEN + ": Deployment/container-without-name: /spec/template/spec/containers/0: must have required property name");
    }

    private static void assertFabric8Reads(List<ObjectNode> objects) {
        assertThat(objects).isNotEmpty();
        for (ObjectNode object : objects) {
            if (object.path("apiVersion").asText().startsWith("cert-manager.io/")) {
                continue;
            }
            assertThat(Fabric8Validator.problems(object)).as("%s", object.path("metadata").path("name")).isEmpty();
        }
    }

    private static List<Path> k8sFiles() {
        try (Stream<Path> files = Files.list(K8S)) {
            return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
