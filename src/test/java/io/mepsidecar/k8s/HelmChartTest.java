package io.mepsidecar.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.LintResult;
import io.fabric8.zjsonpatch.JsonPatch;
import io.mepsidecar.contract.Contract;
import io.mepsidecar.contract.ContractParser;
import io.mepsidecar.contract.MessageExchangePattern;
import io.mepsidecar.contract.Operation;
import io.mepsidecar.injector.InjectionDecision;
import io.mepsidecar.injector.InjectorConfig;
import io.mepsidecar.injector.InjectorConfigReader;
import io.mepsidecar.injector.PodInjector;
import io.mepsidecar.injector.SkipReason;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a user of the chart relies on, read from `helm lint` and `helm template` of helm/mep-sidecar. */
class HelmChartTest {

    private static final String SERVICE_DNS = Chart.RELEASE + "." + Chart.NAMESPACE + ".svc";

    private static Manifests defaults;
    private static Manifests everything;

    @BeforeAll
    static void render() {
        defaults = Chart.render(Map.of());
        everything = Chart.render(Chart.everythingOn());
    }

    @Test
    void lintStrictPasses() {
        LintResult result = new Helm(Chart.DIR).lint().strict().call();

        assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
    }

    @Test
    void defaultsRenderTheInjectorAndNoOptionalPart() {
        assertThat(defaults.kinds()).containsExactlyInAnyOrder("PodDisruptionBudget", "ServiceAccount", "Secret",
                "ConfigMap", "ConfigMap", "Service", "Deployment", "MutatingWebhookConfiguration");
    }

    @Test
    void everyOptionalPartRenders() {
        assertThat(everything.kinds()).containsExactlyInAnyOrder("PodDisruptionBudget", "ServiceAccount",
                "ConfigMap", "ConfigMap", "ConfigMap", "ConfigMap", "Service", "Deployment",
                "MutatingWebhookConfiguration", "Certificate", "Certificate", "Issuer", "Issuer", "PodMonitor",
                "PrometheusRule");
    }

    @Test
    void webhookCallsTheInjectorServiceAndNeverBlocksPods() {
        JsonNode webhook = webhook(defaults);

        assertThat(webhook.path("name").asText()).isEqualTo("inject.mep-sidecar.io");
        assertThat(webhook.path("failurePolicy").asText()).isEqualTo("Ignore");
        assertThat(webhook.path("sideEffects").asText()).isEqualTo("None");
        assertThat(texts(webhook.path("admissionReviewVersions"))).containsExactly("v1");
        assertThat(webhook.path("reinvocationPolicy").asText()).isEqualTo("Never");
        assertThat(webhook.path("timeoutSeconds").asInt()).isBetween(1, 30);
        JsonNode service = webhook.path("clientConfig").path("service");
        assertThat(service.path("name").asText()).isEqualTo(Chart.RELEASE);
        assertThat(service.path("namespace").asText()).isEqualTo(Chart.NAMESPACE);
        assertThat(service.path("path").asText()).isEqualTo("/mutate");
        assertThat(service.path("port").asInt()).isEqualTo(443);
        JsonNode rule = webhook.path("rules").get(0);
        assertThat(texts(rule.path("operations"))).containsExactly("CREATE");
        assertThat(texts(rule.path("apiGroups"))).containsExactly("");
        assertThat(texts(rule.path("apiVersions"))).containsExactly("v1");
        assertThat(texts(rule.path("resources"))).containsExactly("pods");
        assertThat(webhook.has("objectSelector")).isFalse();
    }

    @Test
    void webhookLeavesTheReleaseNamespaceAndKubeSystemAlone() {
        JsonNode expression = webhook(defaults).path("namespaceSelector").path("matchExpressions").get(0);

        assertThat(expression.path("key").asText()).isEqualTo("kubernetes.io/metadata.name");
        assertThat(expression.path("operator").asText()).isEqualTo("NotIn");
        assertThat(texts(expression.path("values"))).containsExactlyInAnyOrder(Chart.NAMESPACE, "kube-system");
        assertThat(texts(webhook(everything).path("namespaceSelector").path("matchExpressions").get(0).path("values")))
                .containsExactlyInAnyOrder(Chart.NAMESPACE, "kube-system", "monitoring");
        assertThat(webhook(everything).path("objectSelector").path("matchLabels").path("mep-sidecar.io/enabled").asText())
                .isEqualTo("true");
    }

    @Test
    void failurePolicyFailIsASetting() {
        JsonNode webhook = webhook(Chart.render(Map.of("injector.failurePolicy", "Fail")));

        assertThat(webhook.path("failurePolicy").asText()).isEqualTo("Fail");
    }

    @Test
    void caBundleIsTheCaThatSignedTheServingCertificateOfTheInjectorService() throws Exception {
        Manifests manifests = Chart.render(Map.of("injector.tls.ipAddresses[0]", "127.0.0.1"));
        X509Certificate ca = Pem.certificate(Pem.decodeBase64(webhook(manifests).path("clientConfig").path("caBundle").asText()));
        JsonNode secret = manifests.get("Secret", Chart.RELEASE + "-tls");
        X509Certificate certificate = Pem.certificate(Pem.decodeBase64(secret.path("data").path("tls.crt").asText()));
        RSAPublicKey publicKey = (RSAPublicKey) certificate.getPublicKey();

        assertThat(secret.path("type").asText()).isEqualTo("kubernetes.io/tls");
        assertThat(ca.getBasicConstraints()).as("the caBundle is a CA").isGreaterThanOrEqualTo(0);
        certificate.verify(ca.getPublicKey());
        certificate.checkValidity(new Date());
        assertThat(Pem.decodeBase64(secret.path("data").path("ca.crt").asText())).isEqualTo(pem(ca));
        assertThat(Pem.rsaPrivateKey(Pem.decodeBase64(secret.path("data").path("tls.key").asText())).getModulus())
                .as("tls.key is the key of tls.crt").isEqualTo(publicKey.getModulus());
        assertThat(subjectAlternativeNames(certificate, 2)).containsExactlyInAnyOrder(
                Chart.RELEASE, Chart.RELEASE + "." + Chart.NAMESPACE, SERVICE_DNS);
        assertThat(subjectAlternativeNames(certificate, 7)).containsExactly("127.0.0.1");
        assertThat(certificate.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1");
    }

    @Test
    void anUpgradeKeepsTheCertificateAlreadyInTheCluster() {
        Manifests first = Chart.render(Map.of());
        JsonNode data = first.get("Secret", Chart.RELEASE + "-tls").path("data");
        KubeApiStandIn.putSecret(Chart.NAMESPACE, Chart.RELEASE + "-tls", Map.of("ca.crt", data.path("ca.crt").asText(),
                "tls.crt", data.path("tls.crt").asText(), "tls.key", data.path("tls.key").asText()));
        try {
            Manifests upgrade = Chart.render(Map.of("sidecar.logLevel", "DEBUG"));

            assertThat(upgrade.get("Secret", Chart.RELEASE + "-tls").path("data")).isEqualTo(data);
            assertThat(webhook(upgrade).path("clientConfig").path("caBundle").asText()).isEqualTo(data.path("ca.crt").asText());
        } finally {
            KubeApiStandIn.removeSecret(Chart.NAMESPACE, Chart.RELEASE + "-tls");
        }
        assertThat(Chart.render(Map.of()).get("Secret", Chart.RELEASE + "-tls").path("data").path("tls.crt"))
                .as("without a Secret in the cluster, a new certificate").isNotEqualTo(data.path("tls.crt"));
    }

    @Test
    void certManagerIssuesTheCertificateAndInjectsTheCaBundle() {
        ObjectNode certificate = everything.get("Certificate", Chart.RELEASE + "-tls");
        JsonNode spec = certificate.path("spec");
        ObjectNode mwc = everything.get("MutatingWebhookConfiguration", Chart.RELEASE);

        assertThat(certificate.path("apiVersion").asText()).isEqualTo("cert-manager.io/v1");
        assertThat(texts(spec.path("dnsNames"))).containsExactlyInAnyOrder(
                Chart.RELEASE, Chart.RELEASE + "." + Chart.NAMESPACE, SERVICE_DNS);
        assertThat(texts(spec.path("ipAddresses"))).containsExactly("127.0.0.1");
        assertThat(spec.path("secretName").asText()).isEqualTo(tlsVolumeSecret(everything));
        assertThat(mwc.path("metadata").path("annotations").path("cert-manager.io/inject-ca-from").asText())
                .isEqualTo(Chart.NAMESPACE + "/" + Chart.RELEASE + "-tls");
        assertThat(webhook(everything).path("clientConfig").has("caBundle")).isFalse();
        assertThat(everything.ofKind("Secret")).as("cert-manager writes the Secret").isEmpty();
    }

    @Test
    void certManagerSignsTheServingCertificateWithACaOfTheChartsOwnSoRenewalsKeepTheCaBundle() {
        JsonNode servingIssuer = everything.get("Certificate", Chart.RELEASE + "-tls").path("spec").path("issuerRef");
        ObjectNode caIssuer = everything.get("Issuer", Chart.RELEASE + "-ca");
        ObjectNode ca = everything.get("Certificate", Chart.RELEASE + "-ca");
        JsonNode caSpec = ca.path("spec");

        assertThat(servingIssuer.path("name").asText()).isEqualTo(Chart.RELEASE + "-ca");
        assertThat(servingIssuer.path("kind").asText()).isEqualTo("Issuer");
        assertThat(caIssuer.path("spec").path("ca").path("secretName").asText()).isEqualTo(caSpec.path("secretName").asText());
        assertThat(caSpec.path("isCA").asBoolean()).isTrue();
        assertThat(caSpec.path("secretName").asText()).isEqualTo(Chart.RELEASE + "-ca")
                .as("the CA's Secret is not the one the injector mounts").isNotEqualTo(tlsVolumeSecret(everything));
        assertThat(Duration.parse("PT" + caSpec.path("duration").asText().toUpperCase()))
                .as("the CA outlives many serving certificates")
                .isGreaterThan(Duration.parse("PT" + everything.get("Certificate", Chart.RELEASE + "-tls")
                        .path("spec").path("duration").asText().toUpperCase()).multipliedBy(5));
        assertThat(caSpec.path("issuerRef").path("name").asText()).isEqualTo(Chart.RELEASE + "-selfsigned");
        assertThat(everything.get("Issuer", Chart.RELEASE + "-selfsigned").path("spec").has("selfSigned")).isTrue();
    }

    @Test
    void certManagerWithAnIssuerOfYourOwnCreatesNoIssuer() {
        Manifests manifests = Chart.render(Map.of("injector.tls.certManager.enabled", true,
                "injector.tls.certManager.issuerRef.name", "company-ca",
                "injector.tls.certManager.issuerRef.kind", "ClusterIssuer"));

        assertThat(manifests.ofKind("Issuer")).isEmpty();
        assertThat(manifests.ofKind("Certificate")).hasSize(1);
        JsonNode issuerRef = manifests.get("Certificate", Chart.RELEASE + "-tls").path("spec").path("issuerRef");
        assertThat(issuerRef.path("name").asText()).isEqualTo("company-ca");
        assertThat(issuerRef.path("kind").asText()).isEqualTo("ClusterIssuer");
    }

    @Test
    void injectorRunsTwoHardenedReplicasOfTheImageInInjectorMode() {
        JsonNode pod = defaults.get("Deployment", Chart.RELEASE).path("spec").path("template").path("spec");
        JsonNode container = injectorContainer(defaults);
        JsonNode security = container.path("securityContext");

        assertThat(defaults.get("Deployment", Chart.RELEASE).path("spec").path("replicas").asInt()).isEqualTo(2);
        assertThat(container.path("image").asText()).isEqualTo("ghcr.io/mep-sidecar/mep-sidecar:0.1.0-SNAPSHOT");
        assertThat(texts(container.path("args"))).containsExactly("injector");
        assertThat(pod.path("automountServiceAccountToken").asBoolean(true)).isFalse();
        assertThat(security.path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(security.path("runAsUser").asInt()).isEqualTo(65532);
        assertThat(security.path("readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(security.path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
        assertThat(texts(security.path("capabilities").path("drop"))).containsExactly("ALL");
        assertThat(security.path("seccompProfile").path("type").asText()).isEqualTo("RuntimeDefault");
        assertThat(container.path("resources").path("requests").has("memory")).isTrue();
        assertThat(container.path("resources").path("limits").has("memory")).isTrue();
        JsonNode antiAffinity = pod.path("affinity").path("podAntiAffinity")
                .path("preferredDuringSchedulingIgnoredDuringExecution").get(0).path("podAffinityTerm");
        assertThat(antiAffinity.path("topologyKey").asText()).isEqualTo("kubernetes.io/hostname");
        assertThat(antiAffinity.path("labelSelector").path("matchLabels"))
                .isEqualTo(defaults.get("Deployment", Chart.RELEASE).path("spec").path("template").path("metadata").path("labels"));
    }

    @Test
    void injectorProbesAndSettingsFollowTheInterface() {
        JsonNode container = injectorContainer(defaults);
        Map<String, String> env = env(container);

        assertThat(container.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/readyz");
        assertThat(container.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/livez");
        assertThat(portNumber(container, container.path("readinessProbe").path("httpGet").path("port").asText())).isEqualTo(9000);
        assertThat(portNumber(container, container.path("livenessProbe").path("httpGet").path("port").asText())).isEqualTo(9000);
        assertThat(env).containsEntry("MEP_INJECTOR_PORT", "8443").containsEntry("MEP_INJECTOR_MANAGEMENT_PORT", "9000");
        assertThat(mountedFile(defaults, env.get("MEP_INJECTOR_CONFIG")))
                .isEqualTo("configMap " + Chart.RELEASE + "-config key config.yaml");
        assertThat(mountedFile(defaults, env.get("MEP_INJECTOR_TLS_CERT")))
                .isEqualTo("secret " + Chart.RELEASE + "-tls key tls.crt");
        assertThat(mountedFile(defaults, env.get("MEP_INJECTOR_TLS_KEY")))
                .isEqualTo("secret " + Chart.RELEASE + "-tls key tls.key");
        assertThat(mountedVolume(defaults, "/tmp").has("emptyDir")).isTrue();
        for (JsonNode mount : container.path("volumeMounts")) {
            if (!mount.path("mountPath").asText().equals("/tmp")) {
                assertThat(mount.path("readOnly").asBoolean()).as("%s read-only", mount).isTrue();
            }
        }
    }

    @Test
    void injectorSleepsInPreStopSoTheApiServerStopsCallingItBeforeItStopsListening() {
        JsonNode pod = defaults.get("Deployment", Chart.RELEASE).path("spec").path("template").path("spec");
        JsonNode preStop = injectorContainer(defaults).path("lifecycle").path("preStop").path("exec");

        assertThat(texts(preStop.path("command"))).containsExactly("/bin/sleep", "5");
        assertThat(pod.path("terminationGracePeriodSeconds").asInt()).isEqualTo(15);

        Manifests longer = Chart.render(Map.of("injector.preStopSleepSeconds", 20));
        JsonNode longerPod = longer.get("Deployment", Chart.RELEASE).path("spec").path("template").path("spec");
        assertThat(texts(injectorContainer(longer).path("lifecycle").path("preStop").path("exec").path("command")))
                .containsExactly("/bin/sleep", "20");
        assertThat(longerPod.path("terminationGracePeriodSeconds").asInt()).isGreaterThan(20);
    }

    @Test
    void serviceForwards443ToTheWebhookPort() {
        JsonNode port = defaults.get("Service", Chart.RELEASE).path("spec").path("ports").get(0);

        assertThat(port.path("port").asInt()).isEqualTo(443);
        assertThat(portNumber(injectorContainer(defaults), port.path("targetPort").asText())).isEqualTo(8443);
        assertThat(defaults.get("Service", Chart.RELEASE).path("spec").path("selector"))
                .isEqualTo(defaults.get("Deployment", Chart.RELEASE).path("spec").path("selector").path("matchLabels"));
    }

    @Test
    void disruptionBudgetKeepsOneInjectorPod() {
        JsonNode spec = defaults.get("PodDisruptionBudget", Chart.RELEASE).path("spec");

        assertThat(spec.path("minAvailable").asInt()).isEqualTo(1);
        assertThat(spec.path("selector").path("matchLabels"))
                .isEqualTo(defaults.get("Deployment", Chart.RELEASE).path("spec").path("selector").path("matchLabels"));
    }

    @Test
    void injectorHasAServiceAccountWithoutAnyPermission() {
        JsonNode account = defaults.get("ServiceAccount", Chart.RELEASE);

        assertThat(account.path("automountServiceAccountToken").asBoolean(true)).isFalse();
        assertThat(defaults.get("Deployment", Chart.RELEASE).path("spec").path("template").path("spec")
                .path("serviceAccountName").asText()).isEqualTo(Chart.RELEASE);
        assertThat(everything.kinds()).doesNotContain("Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding");
    }

    @Test
    void injectorConfigCarriesTheSidecarValues() {
        Map<String, Object> values = Map.of(
                "sidecar.kafka.bootstrapServers", "my-cluster-kafka-bootstrap.kafka:9092",
                "sidecar.kafka.envFromSecret", "kafka-credentials",
                "sidecar.tokenSecret", "mep-tokens",
                "sidecar.appPort", 9090,
                "sidecar.logLevel", "DEBUG",
                "sidecar.shutdownGrace", "40s",
                "sidecar.resources.limits.memory", "384Mi",
                "sidecar.env.MEP_CALLER_MAX_IN_FLIGHT", "500",
                "sidecar.tracing.otlpEndpoint", "http://otel-collector.observability:4318/v1/traces",
                "image.tag", "1.2.3");
        JsonNode config = injectorConfig(Chart.render(values));

        assertThat(config.path("image").asText()).isEqualTo("ghcr.io/mep-sidecar/mep-sidecar:1.2.3");
        assertThat(config.path("imagePullPolicy").asText()).isEqualTo("IfNotPresent");
        assertThat(config.path("contractConfigMap").asText()).isEqualTo("mep-contract");
        assertThat(config.path("kafka").path("bootstrapServers").asText()).isEqualTo("my-cluster-kafka-bootstrap.kafka:9092");
        assertThat(config.path("kafka").path("envFromSecret").asText()).isEqualTo("kafka-credentials");
        assertThat(config.path("tracing").path("otlpEndpoint").asText())
                .isEqualTo("http://otel-collector.observability:4318/v1/traces");
        assertThat(config.path("tokenSecret").asText()).isEqualTo("mep-tokens");
        assertThat(config.path("appPort").isInt()).isTrue();
        assertThat(config.path("appPort").asInt()).isEqualTo(9090);
        assertThat(config.path("logLevel").asText()).isEqualTo("DEBUG");
        assertThat(Chart.render(Map.of("sidecar.logLevel", "OFF")).get("ConfigMap", Chart.RELEASE + "-config")
                .path("data").path("config.yaml").asText())
                .as("quoted like the other strings: a YAML 1.1 reader takes a plain OFF for false")
                .contains("logLevel: \"OFF\"");
        assertThat(config.path("shutdownGrace").asText()).isEqualTo("40s");
        assertThat(config.path("preStopSleepSeconds").asInt()).isEqualTo(5);
        assertThat(config.path("prometheusAnnotations").isBoolean()).isTrue();
        assertThat(config.path("resources").path("requests").path("cpu").asText()).isEqualTo("100m");
        assertThat(config.path("resources").path("limits").path("memory").asText()).isEqualTo("384Mi");
        assertThat(config.path("env").path("MEP_CALLER_MAX_IN_FLIGHT").asText()).isEqualTo("500");
    }

    @Test
    void injectorConfigHasExactlyTheKeysOfTheInterface() {
        assertThat(fieldNames(injectorConfig(defaults))).containsExactlyInAnyOrder("image", "imagePullPolicy",
                "nativeSidecar", "contractConfigMap", "tokenSecret", "kafka", "tracing", "appPort", "logLevel",
                "shutdownGrace", "preStopSleepSeconds", "prometheusAnnotations", "resources", "env");
        assertThat(injectorConfig(defaults).path("env").isObject()).isTrue();
        assertThat(injectorConfig(defaults).path("tokenSecret").asText()).as("no tokens by default").isEmpty();
        assertThat(injectorConfig(defaults).path("tracing").path("otlpEndpoint").asText()).as("no spans by default")
                .isEmpty();
    }

    @Test
    void tokenSecretOfTheChartReachesEveryInjectedPod() {
        String configYaml = Chart.render(Map.of("sidecar.tokenSecret", "mep-tokens", "sidecar.nativeSidecar", true))
                .get("ConfigMap", Chart.RELEASE + "-config").path("data").path("config.yaml").asText();
        InjectorConfig config = InjectorConfigReader.read(configYaml);
        ObjectNode pod = new ObjectMapper().createObjectNode();
        pod.putObject("metadata").putObject("annotations").put("mep-sidecar.io/inject", "true")
                .put("mep-sidecar.io/app-name", "quote-service");
        pod.putObject("spec").putArray("containers").addObject().put("name", "app").put("image", "app:1");

        JsonNode patched = JsonPatch.apply(new PodInjector(config).decide(pod).patch().orElseThrow(), pod);

        assertThat(patched.path("spec").path("initContainers").get(0).path("env").findValues("secretKeyRef"))
                .extracting(ref -> ref.path("name").asText() + "/" + ref.path("key").asText())
                .containsExactly("mep-tokens/api-token", "mep-tokens/app-token");
        assertThat(patched.path("spec").path("containers").get(0).path("env"))
                .extracting(env -> env.path("name").asText()).containsExactly("MEP_API_TOKEN", "MEP_APP_TOKEN");
    }

    @Test
    void otlpEndpointOfTheChartReachesEveryInjectedSidecarUnlessThePodSaysOtherwise() {
        String collector = "http://otel-collector.observability:4318/v1/traces";
        String configYaml = Chart.render(Map.of("sidecar.tracing.otlpEndpoint", collector))
                .get("ConfigMap", Chart.RELEASE + "-config").path("data").path("config.yaml").asText();
        InjectorConfig config = InjectorConfigReader.read(configYaml);

        assertThat(sidecarEnv(config, Map.of())).containsEntry("MEP_TRACING_OTLP_ENDPOINT", collector);
        assertThat(sidecarEnv(config, Map.of("mep-sidecar.io/otlp-endpoint", "https://traces.example:4318/v1/traces")))
                .containsEntry("MEP_TRACING_OTLP_ENDPOINT", "https://traces.example:4318/v1/traces");
        assertThat(sidecarEnv(config, Map.of("mep-sidecar.io/otlp-endpoint", "")))
                .as("an empty annotation turns spans off for the pod").doesNotContainKey("MEP_TRACING_OTLP_ENDPOINT")
                .containsKey("KAFKA_BOOTSTRAP_SERVERS");
    }

    @Test
    void noOtlpEndpointByDefaultSoNoSpans() {
        InjectorConfig config = InjectorConfigReader.read(defaults.get("ConfigMap", Chart.RELEASE + "-config")
                .path("data").path("config.yaml").asText());

        assertThat(sidecarEnv(config, Map.of())).doesNotContainKey("MEP_TRACING_OTLP_ENDPOINT")
                .containsKey("KAFKA_BOOTSTRAP_SERVERS");
        assertThat(sidecarEnv(config, Map.of("mep-sidecar.io/otlp-endpoint", "http://otel:4318/v1/traces")))
                .containsEntry("MEP_TRACING_OTLP_ENDPOINT", "http://otel:4318/v1/traces");
    }

    @Test
    void podWithAnOtlpEndpointThatIsNoUrlIsNotInjectedLikeAnyInvalidAnnotation() {
        InjectorConfig config = InjectorConfigReader.read(defaults.get("ConfigMap", Chart.RELEASE + "-config")
                .path("data").path("config.yaml").asText());

        InjectionDecision decision = new PodInjector(config)
                .decide(annotatedPod(Map.of("mep-sidecar.io/otlp-endpoint", "otel-collector:4318")));

        assertThat(decision.injected()).isFalse();
        assertThat(decision.skipReason()).contains(SkipReason.INVALID_ANNOTATION);
        assertThat(decision.warnings()).singleElement().asString()
                .contains("mep-sidecar.io/otlp-endpoint has value 'otel-collector:4318'");
    }

    @Test
    void schemaRejectsAnOtlpEndpointThatIsNoHttpUrl() {
        for (String bad : List.of("otel-collector:4318", "grpc://otel-collector:4317", "http://", "http://otel collector")) {
            assertThatThrownBy(() -> Chart.template(Map.of("sidecar.tracing.otlpEndpoint", bad))).as(bad)
                    .hasMessageContaining("otlpEndpoint");
        }
        assertThatThrownBy(() -> Chart.template(Map.of("sidecar.tracing.endpoint", "http://otel:4318/v1/traces")))
                .hasMessageContaining("endpoint");
        assertThat(Chart.template(Map.of("sidecar.tracing.otlpEndpoint", "https://traces.example:4318/v1/traces")))
                .contains("otlpEndpoint: \"https://traces.example:4318/v1/traces\"");
    }

    /** An endpoint the schema lets through but the injector refuses would stop the new injector pods from starting. */
    @Test
    void theSchemaAndTheInjectorTakeTheSameOtlpEndpoints() {
        for (String endpoint : List.of("http://otel-collector.observability:4318/v1/traces", "https://otel/v1/traces",
                "http://10.0.0.1:4318/v1/traces", "http://[fd00::1]:4318/v1/traces", "http://otel:65535",
                "http://otel_collector:4318/v1/traces", "http://otel:43x8/v1/traces", "http://otel:65536/v1/traces",
                "http://svc.123/v1/traces", "http://256.1.1.1/v1/traces", "http://otel:4318/v1/{x}",
                "http://otel:4318/v1/traces?x=1", "http://user@otel:4318/v1/traces", "http://otel:4318/v1/%zz",
                "http://otel:4318/v1/traces#f")) {
            boolean injectorTakesIt = true;
            try {
                InjectorConfigReader.read("image: i\ntracing:\n  otlpEndpoint: \"" + endpoint + "\"\n");
            } catch (RuntimeException e) {
                injectorTakesIt = false;
            }
            boolean schemaTakesIt = true;
            try {
                Chart.template(Map.of("sidecar.tracing.otlpEndpoint", endpoint));
            } catch (RuntimeException e) {
                schemaTakesIt = false;
            }
            assertThat(schemaTakesIt).as(endpoint).isEqualTo(injectorTakesIt);
        }
    }

    @Test
    void nativeSidecarAutoFollowsTheKubernetesVersion() {
        assertThat(nativeSidecar("1.28.0", Map.of())).isFalse();
        assertThat(nativeSidecar("1.29.0", Map.of())).isTrue();
        assertThat(nativeSidecar("1.30.0", Map.of())).isTrue();
        assertThat(nativeSidecar("1.28.0", Map.of("sidecar.nativeSidecar", true))).isTrue();
        assertThat(nativeSidecar("1.30.0", Map.of("sidecar.nativeSidecar", false))).isFalse();
    }

    @Test
    void configChangeRollsTheInjector() {
        String before = checksum(defaults);
        String after = checksum(Chart.render(Map.of("sidecar.logLevel", "DEBUG")));

        assertThat(after).isNotEqualTo(before);
    }

    @Test
    void contractConfigMapIsAValidContractWithTheQuoteExample() {
        Contract contract = contract(defaults.get("ConfigMap", "mep-contract"));

        Operation getQuote = contract.require("get-quote");
        assertThat(getQuote.pattern()).isEqualTo(MessageExchangePattern.REQUEST_REPLY);
        assertThat(getQuote.topic()).isEqualTo("quotes.get-quote");
        assertThat(getQuote.timeout()).isEqualTo(Duration.ofSeconds(5));
        Operation orderPlaced = contract.require("order-placed");
        assertThat(orderPlaced.pattern()).isEqualTo(MessageExchangePattern.ONE_WAY);
        assertThat(orderPlaced.topic()).isEqualTo("orders.order-placed");
        assertThat(contract.operations()).hasSize(2);
        assertThat(contract(defaults.get("ConfigMap", "mep-contract")).operations())
                .containsExactlyInAnyOrderElementsOf(ContractParser.parse(Manifests.BASE_DIR.resolve("examples/contract.yaml")).operations());
    }

    @Test
    void contractConfigMapIsCreatedInTheAppNamespacesToo() {
        List<ObjectNode> contracts = everything.ofKind("ConfigMap").stream()
                .filter(c -> c.path("metadata").path("name").asText().equals("mep-contract")).toList();

        assertThat(contracts).extracting(c -> c.path("metadata").path("namespace").asText())
                .containsExactlyInAnyOrder(Chart.NAMESPACE, "quotes");
        assertThat(contracts).allSatisfy(c -> assertThat(contract(c).operations()).hasSize(2));
    }

    @Test
    void contractComesFromTheValues() {
        Manifests manifests = Chart.render(Map.of(
                "contract.configMapName", "orders-contract",
                "contract.operations.place-order.pattern", "one-way",
                "contract.operations.place-order.topic", "orders.place-order",
                "contract.operations.place-order.expires", "1h"));
        Contract contract = contract(manifests.get("ConfigMap", "orders-contract"));

        assertThat(contract.require("place-order").topic()).isEqualTo("orders.place-order");
        assertThat(contract.require("place-order").expires()).contains(Duration.ofHours(1));
        assertThat(injectorConfig(manifests).path("contractConfigMap").asText()).isEqualTo("orders-contract");
    }

    @Test
    void noContractConfigMapWhenNotWanted() {
        Manifests manifests = Chart.render(Map.of("contract.create", false));

        assertThat(manifests.ofKind("ConfigMap")).extracting(c -> c.path("metadata").path("name").asText())
                .containsExactly(Chart.RELEASE + "-config");
    }

    @Test
    void prometheusRuleHasTheAlertsOfTheMonitoringFolder() {
        JsonNode rule = everything.get("PrometheusRule", Chart.RELEASE);
        JsonNode original = Manifests.readYaml(Manifests.BASE_DIR.resolve("monitoring/prometheus/mep-sidecar-alerts.yaml"));

        assertThat(rule.path("spec").path("groups")).isEqualTo(original.path("groups"));
        assertThat(rule.path("spec").path("groups").get(0).path("rules").get(0).path("annotations").path("summary").asText())
                .as("Prometheus templates are left to Prometheus").contains("{{ $labels.namespace }}");
    }

    @Test
    void podMonitorScrapesEveryInjectedPod() {
        JsonNode spec = everything.get("PodMonitor", Chart.RELEASE).path("spec");

        assertThat(spec.path("selector").path("matchLabels").path("mep-sidecar.io/injected").asText()).isEqualTo("true");
        assertThat(spec.path("namespaceSelector").path("any").asBoolean()).isTrue();
        assertThat(spec.path("podMetricsEndpoints").get(0).path("port").asText()).isEqualTo("mep-metrics");
        assertThat(spec.path("podMetricsEndpoints").get(0).path("path").asText()).isEqualTo("/q/metrics");
    }

    @Test
    void dashboardConfigMapCarriesTheDashboardForGrafana() throws IOException {
        JsonNode configMap = everything.get("ConfigMap", Chart.RELEASE + "-dashboard");
        ObjectMapper json = new ObjectMapper();

        assertThat(configMap.path("metadata").path("labels").path("grafana_dashboard").asText()).isEqualTo("1");
        assertThat(json.readTree(configMap.path("data").path("mep-sidecar-dashboard.json").asText()))
                .isEqualTo(json.readTree(Manifests.BASE_DIR.resolve("monitoring/grafana/mep-sidecar-dashboard.json").toFile()));
    }

    @Test
    void chartCopiesOfTheMonitoringFilesEqualTheOriginals() throws IOException {
        assertThat(Files.readString(Chart.DIR.resolve("files/mep-sidecar-alerts.yaml")))
                .as("helm/mep-sidecar/files/ is a copy of monitoring/prometheus/: copy it again")
                .isEqualTo(Files.readString(Manifests.BASE_DIR.resolve("monitoring/prometheus/mep-sidecar-alerts.yaml")));
        assertThat(Files.readString(Chart.DIR.resolve("files/mep-sidecar-dashboard.json")))
                .as("helm/mep-sidecar/files/ is a copy of monitoring/grafana/: copy it again")
                .isEqualTo(Files.readString(Manifests.BASE_DIR.resolve("monitoring/grafana/mep-sidecar-dashboard.json")));
    }

    @Test
    void everyValueIsDocumentedInValuesYamlAndTheChartReadme() throws IOException {
        List<String> documented = ValuesDoc.documentedKeys(Chart.DIR.resolve("values.yaml"));
        String readme = Files.readString(Chart.DIR.resolve("README.md"));

        assertThat(ValuesDoc.leafKeys(Manifests.readYaml(Chart.DIR.resolve("values.yaml"))))
                .allSatisfy(leaf -> assertThat(documented)
                        .as("%s has a '# --' comment in values.yaml", leaf)
                        .anySatisfy(key -> assertThat(leaf.equals(key) || leaf.startsWith(key + ".")).isTrue()));
        assertThat(documented).allSatisfy(key -> assertThat(readme).as("README values table").contains("| `" + key + "` |"));
    }

    @Test
    void schemaRejectsAValueOfTheWrongType() {
        assertThatThrownBy(() -> Chart.template(Map.of("injector.replicas", "two")))
                .hasMessageContaining("/injector/replicas").hasMessageContaining("want integer");
    }

    @Test
    void schemaRejectsAnUnknownKey() {
        assertThatThrownBy(() -> Chart.template(Map.of("injector.replica", 3)))
                .hasMessageContaining("replica");
        assertThatThrownBy(() -> Chart.template(Map.of("sidecar.kafka.bootstrapServer", "kafka:9092")))
                .hasMessageContaining("bootstrapServer");
    }

    @Test
    void schemaRejectsValuesOutsideTheirEnums() {
        assertThatThrownBy(() -> Chart.template(Map.of("injector.failurePolicy", "Sometimes")))
                .hasMessageContaining("failurePolicy");
        assertThatThrownBy(() -> Chart.template(Map.of("sidecar.nativeSidecar", "maybe")))
                .hasMessageContaining("nativeSidecar");
        assertThatThrownBy(() -> Chart.template(Map.of("sidecar.logLevel", "VERBOSE")))
                .hasMessageContaining("logLevel");
        assertThatThrownBy(() -> Chart.template(Map.of("contract.operations.get-quote.pattern", "fire-and-forget")))
                .hasMessageContaining("pattern");
    }

    @Test
    void installNotesTellHowToCreateTheChartsTokenSecretOnlyWhenOneIsSet() {
        assertThat(installNotes(Map.of("sidecar.tokenSecret", "mep-tokens")))
                .contains("mep-sidecar.io/token-secret:")
                .contains("create secret generic mep-tokens")
                .contains("CreateContainerConfigError");
        assertThat(installNotes(Map.of())).contains("mep-sidecar.io/calls:").doesNotContain("create secret generic");
    }

    @Test
    void schemaRejectsATokenSecretThatIsNoSecretName() {
        for (String bad : List.of("Mep_Tokens", "mep-tokens-", "mep..tokens")) {
            assertThatThrownBy(() -> Chart.template(Map.of("sidecar.tokenSecret", bad))).as(bad)
                    .hasMessageContaining("tokenSecret");
        }
        assertThat(Chart.template(Map.of("sidecar.tokenSecret", "shop.mep-tokens"))).contains("shop.mep-tokens");
    }

    @Test
    void schemaRejectsSidecarEnvTheInjectorSetsOrThatWouldMoveTheSidecarsPorts() {
        for (String name : List.of("MEP_APP_NAME", "MEP_INSTANCE_ID", "MEP_CONTRACT", "MEP_APP_URL", "MEP_SERVES",
                "MEP_CALLS", "MEP_APP_HEALTH_PATH", "MEP_SERVICE_MAX_CONCURRENCY", "MEP_SERVICE_CONSUMPTION",
                "MEP_API_TOKEN", "MEP_APP_TOKEN", "MEP_SHUTDOWN_GRACE",
                "KAFKA_BOOTSTRAP_SERVERS", "QUARKUS_LOG_LEVEL", "MEP_TRACING_OTLP_ENDPOINT", "QUARKUS_HTTP_HOST",
                "QUARKUS_HTTP_PORT", "QUARKUS_MANAGEMENT_HOST", "QUARKUS_MANAGEMENT_PORT", "QUARKUS_MANAGEMENT_ENABLED")) {
            assertThatThrownBy(() -> Chart.template(Map.of("sidecar.env." + name, "x")))
                    .as(name).hasMessageContaining(name);
        }
        assertThat(Chart.template(Map.of("sidecar.env.MEP_CALLER_MAX_IN_FLIGHT", "500", "sidecar.env.QUARKUS_HTTP_LIMITS_MAX_BODY_SIZE", "20M")))
                .contains("MEP_CALLER_MAX_IN_FLIGHT").contains("QUARKUS_HTTP_LIMITS_MAX_BODY_SIZE");
    }

    @Test
    void lintFailsOnAValuesFileThatBreaksTheSchema() throws IOException {
        Path copy = copyOfChart("bad-values");
        Path values = copy.resolve("values.yaml");
        Files.writeString(values, Files.readString(values).replace("  replicas: 2\n", "  replicas: \"two\"\n"));

        LintResult result = new Helm(copy).lint().strict().call();

        assertThat(result.isFailed()).isTrue();
        assertThat(String.join("\n", result.getMessages())).contains("/injector/replicas");
    }

    private static Path copyOfChart(String name) throws IOException {
        Path target = Manifests.BASE_DIR.resolve("target/helm-chart-test").resolve(name);
        if (Files.exists(target)) {
            try (var files = Files.walk(target)) {
                files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
            }
        }
        try (var files = Files.walk(Chart.DIR)) {
            for (Path source : files.toList()) {
                Path destination = target.resolve(Chart.DIR.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(destination);
                } else {
                    Files.copy(source, destination);
                }
            }
        }
        return target;
    }

    private static JsonNode webhook(Manifests manifests) {
        JsonNode webhooks = manifests.get("MutatingWebhookConfiguration", Chart.RELEASE).path("webhooks");
        assertThat(webhooks).hasSize(1);
        return webhooks.get(0);
    }

    private static JsonNode injectorContainer(Manifests manifests) {
        JsonNode containers = manifests.get("Deployment", Chart.RELEASE).path("spec").path("template").path("spec").path("containers");
        assertThat(containers).hasSize(1);
        return containers.get(0);
    }

    /** What `helm install` prints: NOTES.txt rendered (client-only dry run; `helm template` leaves the notes out). */
    private static String installNotes(Map<String, Object> values) {
        InstallCommand install = new Helm(Chart.DIR).install().withName(Chart.RELEASE).withNamespace(Chart.NAMESPACE)
                .dryRun().clientOnly();
        values.forEach(install::set);
        return install.call().getOutput();
    }

    /** A pod of one app container with {@code mep-sidecar.io/inject: "true"}, an app name and these annotations. */
    private static ObjectNode annotatedPod(Map<String, String> annotations) {
        ObjectNode pod = new ObjectMapper().createObjectNode();
        ObjectNode podAnnotations = pod.putObject("metadata").putObject("annotations")
                .put("mep-sidecar.io/inject", "true").put("mep-sidecar.io/app-name", "quote-service");
        annotations.forEach(podAnnotations::put);
        pod.putObject("spec").putArray("containers").addObject().put("name", "app").put("image", "app:1");
        return pod;
    }

    /** The env of the sidecar the injector adds to {@link #annotatedPod}, by name (values of plain env only). */
    private static Map<String, String> sidecarEnv(InjectorConfig config, Map<String, String> annotations) {
        ObjectNode pod = annotatedPod(annotations);
        InjectionDecision decision = new PodInjector(config).decide(pod);
        assertThat(decision.warnings()).as("injected without warnings").isEmpty();
        JsonNode patched = JsonPatch.apply(decision.patch().orElseThrow(), pod);
        JsonNode sidecars = patched.path("spec").path(config.nativeSidecar() ? "initContainers" : "containers");
        for (JsonNode container : sidecars) {
            if (container.path("name").asText().equals("mep-sidecar")) {
                return env(container);
            }
        }
        throw new AssertionError("no mep-sidecar container in " + patched);
    }

    private static JsonNode injectorConfig(Manifests manifests) {
        return Manifests.parseYaml(manifests.get("ConfigMap", Chart.RELEASE + "-config").path("data").path("config.yaml").asText());
    }

    private static boolean nativeSidecar(String kubeVersion, Map<String, Object> values) {
        JsonNode value = injectorConfig(Chart.render(kubeVersion, values)).path("nativeSidecar");
        assertThat(value.isBoolean()).as("nativeSidecar is a boolean: %s", value).isTrue();
        return value.asBoolean();
    }

    private static String checksum(Manifests manifests) {
        return manifests.get("Deployment", Chart.RELEASE).path("spec").path("template").path("metadata")
                .path("annotations").path("checksum/config").asText();
    }

    private static Contract contract(JsonNode configMap) {
        String text = configMap.path("data").path("contract.yaml").asText();
        return ContractParser.parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "contract ConfigMap");
    }

    private static String tlsVolumeSecret(Manifests manifests) {
        for (JsonNode volume : manifests.get("Deployment", Chart.RELEASE).path("spec").path("template").path("spec").path("volumes")) {
            if (volume.has("secret")) {
                return volume.path("secret").path("secretName").asText();
            }
        }
        throw new AssertionError("no secret volume");
    }

    /** "configMap NAME key KEY" or "secret NAME key KEY": where the file at this path in the injector container comes from. */
    private static String mountedFile(Manifests manifests, String path) {
        JsonNode container = injectorContainer(manifests);
        for (JsonNode mount : container.path("volumeMounts")) {
            String dir = mount.path("mountPath").asText();
            if (path.startsWith(dir + "/")) {
                JsonNode volume = volume(manifests, mount.path("name").asText());
                String key = path.substring(dir.length() + 1);
                return volume.has("configMap")
                        ? "configMap " + volume.path("configMap").path("name").asText() + " key " + key
                        : "secret " + volume.path("secret").path("secretName").asText() + " key " + key;
            }
        }
        throw new AssertionError(path + " is not in a mounted volume");
    }

    private static JsonNode mountedVolume(Manifests manifests, String mountPath) {
        for (JsonNode mount : injectorContainer(manifests).path("volumeMounts")) {
            if (mount.path("mountPath").asText().equals(mountPath)) {
                return volume(manifests, mount.path("name").asText());
            }
        }
        throw new AssertionError("nothing mounted at " + mountPath);
    }

    private static JsonNode volume(Manifests manifests, String name) {
        for (JsonNode volume : manifests.get("Deployment", Chart.RELEASE).path("spec").path("template").path("spec").path("volumes")) {
            if (volume.path("name").asText().equals(name)) {
                return volume;
            }
        }
        throw new AssertionError("no volume " + name);
    }

    private static int portNumber(JsonNode container, String nameOrNumber) {
        for (JsonNode port : container.path("ports")) {
            if (port.path("name").asText().equals(nameOrNumber) || port.path("containerPort").asText().equals(nameOrNumber)) {
                return port.path("containerPort").asInt();
            }
        }
        throw new AssertionError("no container port " + nameOrNumber);
    }

    private static Map<String, String> env(JsonNode container) {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        container.path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
        return env;
    }

    private static List<String> texts(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new java.util.HashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> subjectAlternativeNames(X509Certificate certificate, int type) throws CertificateParsingException {
        List<String> names = new ArrayList<>();
        for (List<?> name : certificate.getSubjectAlternativeNames()) {
            if (((Integer) name.get(0)) == type) {
                names.add((String) name.get(1));
            }
        }
        return names;
    }

    private static String pem(X509Certificate certificate) throws Exception {
        return "-----BEGIN CERTIFICATE-----\n"
                + java.util.Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(certificate.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }
}
