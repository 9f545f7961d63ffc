package io.mepsidecar.injector;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JsonPatchOpsTest {

    @Test
    void escapesSlashAndTildeInKeysAsRfc6901Says() {
        assertThat(JsonPatchOps.escape("mep-sidecar.io/status")).isEqualTo("mep-sidecar.io~1status");
        assertThat(JsonPatchOps.escape("a~/b")).isEqualTo("a~0~1b");
    }
}
