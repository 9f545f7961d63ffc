package io.mepsidecar.k8s;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The chart in helm/mep-sidecar, rendered with the Helm library (helm-java bundles Helm itself). */
final class Chart {

    static final String RELEASE = "mep-sidecar";
    static final String NAMESPACE = "mep-system";
    static final String KUBE_VERSION = "1.30.0";

    static final Path DIR = Manifests.BASE_DIR.resolve("helm/mep-sidecar");

    private Chart() {
    }

    /** Renders the chart as `helm template mep-sidecar helm/mep-sidecar -n mep-system` with these --set values. */
    static String template(Map<String, Object> values) {
        return template(KUBE_VERSION, values);
    }

    static String template(String kubeVersion, Map<String, Object> values) {
        KubeApiStandIn.ensureStarted();
        TemplateCommand command = new Helm(DIR).template()
                .withName(RELEASE)
                .withNamespace(NAMESPACE)
                .withKubeVersion(kubeVersion);
        values.forEach(command::set);
        return command.call();
    }

    static Manifests render(Map<String, Object> values) {
        return Manifests.parse(template(values));
    }

    static Manifests render(String kubeVersion, Map<String, Object> values) {
        return Manifests.parse(template(kubeVersion, values));
    }

    /**
     * Every optional part on: cert-manager, an IP SAN, PodMonitor, PrometheusRule, dashboard, an objectSelector, a
     * token Secret.
     */
    static Map<String, Object> everythingOn() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("injector.tls.certManager.enabled", true);
        values.put("injector.tls.ipAddresses[0]", "127.0.0.1");
        values.put("injector.objectSelector.matchLabels.mep-sidecar\\.io/enabled", "true");
        values.put("injector.excludedNamespaces[0]", "monitoring");
        values.put("monitoring.podMonitor.enabled", true);
        values.put("monitoring.prometheusRule.enabled", true);
        values.put("monitoring.dashboard.enabled", true);
        values.put("contract.namespaces[0]", "quotes");
        values.put("sidecar.env.MEP_CALLER_MAX_IN_FLIGHT", "500");
        values.put("sidecar.kafka.envFromSecret", "kafka-credentials");
        values.put("sidecar.tokenSecret", "mep-tokens");
        return values;
    }
}
