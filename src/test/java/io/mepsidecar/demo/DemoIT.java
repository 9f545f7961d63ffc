package io.mepsidecar.demo;

import io.mepsidecar.testing.FreePorts;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's demo command keeps working: its round trip returns the quote app's answer. */
class DemoIT {

    @Test
    void demoMakesARealRoundTripThroughBothSidecars() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        Demo demo = new Demo(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            String reply = demo.run(new Demo.Ports(FreePorts.next(), FreePorts.next(), FreePorts.next(),
                    FreePorts.next(), FreePorts.next()));

            assertThat(reply).startsWith("HTTP/1.1 200").containsIgnoringCase("Content-Type: application/json")
                    .containsIgnoringCase("Mep-Correlation-Id: ").contains("\"symbol\":\"ACME\",\"price\":");
            assertThat(printed.toString(StandardCharsets.UTF_8))
                    .contains("$ curl -sS -i -X POST http://127.0.0.1:")
                    .contains("-H 'Content-Type: application/json' -d '{\"symbol\":\"ACME\"}'");
        } finally {
            demo.stop();
        }
    }
}
