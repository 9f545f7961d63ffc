package io.mepsidecar.injector;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A test CA and server certificates for 127.0.0.1 (IP SAN), made with the {@code openssl} command in a directory
 * of the test: keys as PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) or EC (SEC 1).
 */
final class TestCertificates {

    enum KeyFormat { PKCS8, PKCS1, EC }

    /** A server certificate and its key, as files. */
    record Issued(Path cert, Path key) {

        /** Puts this certificate and key where {@code other} is, the way a rotation would. */
        void copyTo(Issued other) {
            try {
                Files.copy(key, other.key(), StandardCopyOption.REPLACE_EXISTING);
                Files.copy(cert, other.cert(), StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private final Path dir;
    private final Path caCert;
    private final Path caKey;

    TestCertificates(Path dir) {
        this.dir = dir;
        this.caCert = dir.resolve("ca.crt");
        this.caKey = dir.resolve("ca.key");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", caKey.toString(), "-out", caCert.toString(),
                "-subj", "/CN=mep-sidecar test CA", "-days", "2");
    }

    /** A certificate for 127.0.0.1 with this serial number, signed by the CA. */
    Issued issue(String name, long serial, KeyFormat format) {
        Path key = dir.resolve(name + ".key");
        Path csr = dir.resolve(name + ".csr");
        Path cert = dir.resolve(name + ".crt");
        Path extensions = dir.resolve(name + ".ext");
        generateKey(key, format);
        write(extensions, "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n");
        openssl("req", "-new", "-key", key.toString(), "-subj", "/CN=127.0.0.1", "-out", csr.toString());
        openssl("x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(), "-CAkey", caKey.toString(),
                "-set_serial", String.valueOf(serial), "-days", "2", "-extfile", extensions.toString(),
                "-out", cert.toString());
        return new Issued(cert, key);
    }

    Path caCert() {
        return caCert;
    }

    /** A client context that trusts only the test CA. */
    SSLContext clientContext() {
        try (InputStream in = Files.newInputStream(caCert)) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot trust the test CA", e);
        }
    }

    void openssl(String... args) {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void generateKey(Path key, KeyFormat format) {
        switch (format) {
            case PKCS1:
                openssl("genrsa", "-traditional", "-out", key.toString(), "2048");
                break;
            case EC:
                openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key.toString());
                break;
            default:
                openssl("genrsa", "-out", key.toString(), "2048");
                break;
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
