package io.mepsidecar.e2e;

import io.mepsidecar.testing.Closer;
import io.mepsidecar.testing.EmbeddedKafkaBroker;
import io.mepsidecar.testing.SidecarProcess;
import io.mepsidecar.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * The AsyncAPI contract as a user meets it: {@code contract export} of the packaged artifact, run as a process,
 * turns the YAML contract into an AsyncAPI document; a calling sidecar started with that document and a serving
 * one started with its server's view ({@code action: receive}) answer a call through a real broker.
 */
class ContractExportIT {

    private static final Path YAML_CONTRACT = Path.of("src/test/resources/e2e-contract.yaml");
    private static final Path JAR = Path.of(System.getProperty("sidecar.jar", "target/quarkus-app/quarkus-run.jar"));

    private static Path asyncApiContract;
    private static Result exportToStdout;
    private static EmbeddedKafkaBroker broker;
    private static TestApp app;
    private static SidecarProcess service;
    private static SidecarProcess caller;

    @BeforeAll
    static void exportAndStart() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "asyncapi-it"));
        asyncApiContract = dir.resolve("e2e-asyncapi.yaml");
        Files.deleteIfExists(asyncApiContract);
        CompletableFuture<EmbeddedKafkaBroker> brokerStarting = CompletableFuture.supplyAsync(
                EmbeddedKafkaBroker::start);
        try {
            Result export = contractCommand("export", YAML_CONTRACT.toString(), "--output",
                    asyncApiContract.toString());
            assertThat(export.exitCode()).as(export.err()).isZero();
            exportToStdout = contractCommand("export", YAML_CONTRACT.toString());
        } finally {
            broker = brokerStarting.join();
        }
        // the server's view of the same operations
        Path serverView = dir.resolve("e2e-asyncapi-receive.yaml");
        Files.writeString(serverView, Files.readString(asyncApiContract).replace("action: send", "action: receive"));
        broker.createTopics(2, "e2e.echo", "asyncapi-caller.replies");
        app = TestApp.start();
        // both at once, to keep the test short
        CompletableFuture<SidecarProcess> starting = CompletableFuture.supplyAsync(() ->
                SidecarProcess.builder("asyncapi-service")
                        .bootstrapServers(broker.bootstrapServers()).contract(serverView)
                        .appUrl(app.url()).serves("echo")
                        .start());
        try {
            caller = SidecarProcess.builder("asyncapi-caller")
                    .bootstrapServers(broker.bootstrapServers()).contract(asyncApiContract)
                    .start();
        } finally {
            service = starting.join();
        }
    }

    @AfterAll
    static void stop() {
        Closer.closeAll(caller, service, app, broker);
    }

    @Test
    void theExportIsAnAsyncApiDocumentOnStandardOutputToo() throws Exception {
        Result toStdout = exportToStdout;

        assertThat(toStdout.exitCode()).as(toStdout.err()).isZero();
        assertThat(toStdout.out()).startsWith("asyncapi: 3.0.0\n")
                .contains("title: e2e-contract")
                .contains("address: e2e.echo")
                .contains("location: $message.header#/ce_replyto")
                .isEqualTo(Files.readString(asyncApiContract, StandardCharsets.UTF_8));
    }

    @Test
    void sidecarsOnTheAsyncApiContractAnswerACall() {
        String body = "{\"id\":\"" + UUID.randomUUID() + "\"}";

        given().baseUri(caller.url()).contentType("application/json").body(body)
                .when().post("/v1/invoke/echo")
                .then().statusCode(200).contentType("application/json").body(equalTo(body));
    }

    @Test
    void aUsageErrorExitsWithTwo() throws Exception {
        Result usage = contractCommand("export", "--outptu", "x.yaml");
        assertThat(usage.exitCode()).isEqualTo(2);
        assertThat(usage.err()).contains("unknown option '--outptu'").contains("usage: contract export");
        assertThat(usage.out()).isEmpty();
    }

    private record Result(int exitCode, String out, String err) {
    }

    /** Runs {@code java -jar quarkus-run.jar contract <args>} and waits for it to end. */
    private static Result contractCommand(String... args) throws IOException, InterruptedException {
        assertThat(JAR).as("the packaged sidecar; build it with ./mvnw package").isRegularFile();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString(),
                "contract"));
        command.addAll(List.of(args));
        Path dir = Path.of("target", "asyncapi-it");
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().remove("MEP_CONTRACT");
        Process process = builder.start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("contract " + String.join(" ", args) + " did not end within 30 s");
        }
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
