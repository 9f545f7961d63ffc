package io.mepsidecar.e2e;

import io.mepsidecar.testing.FreePorts;
import io.mepsidecar.testing.SidecarProcess;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** A misconfigured sidecar refuses to start and says what to fix, instead of running half-configured. */
class StartupValidationIT {

    private static final Path CONTRACT = Path.of("src/test/resources/e2e-contract.yaml");
    private static final String NO_BROKER = "127.0.0.1:" + FreePorts.next();

    @Test
    void refusesToServeAnOperationThatIsNotInTheContract() {
        SidecarProcess sidecar = SidecarProcess.builder("typo-service").bootstrapServers(NO_BROKER)
                .contract(CONTRACT).serves("echo,ecoh")
                .startExpectingExit();

        assertThat(sidecar.exitCode()).isNotZero();
        assertThat(sidecar.output()).contains("operation 'ecoh' is not in the contract; known operations: [echo, ");
    }

    @Test
    void refusesToStartWhenItMayCallAnOperationThatIsNotInTheContract() {
        SidecarProcess sidecar = SidecarProcess.builder("typo-front").bootstrapServers(NO_BROKER)
                .contract(CONTRACT).env("MEP_CALLS", "echo,ecoh")
                .startExpectingExit();

        assertThat(sidecar.exitCode()).isNotZero();
        assertThat(sidecar.output())
                .contains("mep.calls (MEP_CALLS): operation 'ecoh' is not in the contract; known operations: [");
    }

    @Test
    void refusesToStartWithoutItsContractFile() {
        SidecarProcess sidecar = SidecarProcess.builder("lost-service").bootstrapServers(NO_BROKER)
                .contract(Path.of("target", "no-such-contract.yaml"))
                .startExpectingExit();

        assertThat(sidecar.exitCode()).isNotZero();
        assertThat(sidecar.output()).contains("no-such-contract.yaml does not exist");
    }

    @Test
    void refusesToStartWithoutAnAppName() {
        SidecarProcess sidecar = SidecarProcess.builder("").bootstrapServers(NO_BROKER).contract(CONTRACT)
                .startExpectingExit();

        assertThat(sidecar.exitCode()).isNotZero();
        assertThat(sidecar.output()).contains("mep.app-name");
    }
}
