package io.mepsidecar.injector;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KubernetesModelCheckTest {

    @Test
    void reportsAMisspeltFieldWithItsPath() {
        String pod = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},\"spec\":{\"initContainers\":"
                + "[{\"name\":\"mep-sidecar\",\"image\":\"i\",\"restartPolicy\":\"Always\","
                + "\"securityContext\":{\"readOnlyRootFileSystem\":true}}],\"containers\":[{\"name\":\"app\"}]}}";

        assertThat(KubernetesModelCheck.unknownFields(pod))
                .containsExactly("pod.Spec.InitContainers[0].SecurityContext: [readOnlyRootFileSystem]");
    }

    @Test
    void acceptsAPodOfKnownFields() {
        String pod = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":"
                + "[{\"name\":\"app\",\"resources\":{\"limits\":{\"memory\":\"256Mi\"}}}]}}";

        assertThat(KubernetesModelCheck.unknownFields(pod)).isEmpty();
    }
}
