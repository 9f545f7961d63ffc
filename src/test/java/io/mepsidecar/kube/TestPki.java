package io.mepsidecar.kube;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throw-away certificate authority for tests, made with the {@code openssl} command: the CA, server certificates it
 * signs (with IP and DNS subject alternative names, as Go's TLS client requires), and the {@link SSLContext}s that
 * serve or trust them.
 */
public final class TestPki {

    private static final String DAYS = "2";
    private static final char[] STORE_PASSWORD = "changeit".toCharArray();

    private final Path dir;
    private final PemPair ca;

    private TestPki(Path dir, PemPair ca) {
        this.dir = dir;
        this.ca = ca;
    }

    /** A certificate and its private key, both PEM files. */
    public record PemPair(Path cert, Path key) {

        public String certPem() {
            return read(cert);
        }

        public String keyPem() {
            return read(key);
        }
    }

    /** Makes a new CA in {@code dir}. */
    public static TestPki create(Path dir) {
        PemPair ca = new PemPair(dir.resolve("ca.crt"), dir.resolve("ca.key"));
        openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", DAYS,
                "-subj", "/CN=mep-sidecar-test-ca", "-keyout", ca.key().toString(), "-out", ca.cert().toString(),
                "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return new TestPki(dir, ca);
    }

    public PemPair ca() {
        return ca;
    }

    /** The CA certificate, base64 of its PEM: what a webhook configuration's {@code caBundle} holds. */
    public String caBundle() {
        return Base64.getEncoder().encodeToString(ca.certPem().getBytes(StandardCharsets.UTF_8));
    }

    /** Signs a server certificate named {@code name}, valid for the given IP addresses and DNS names. */
    public PemPair issueServerCert(String name, List<String> ipAddresses, List<String> dnsNames) {
        PemPair pair = new PemPair(dir.resolve(name + ".crt"), dir.resolve(name + ".key"));
        Path csr = dir.resolve(name + ".csr");
        Path extensions = dir.resolve(name + ".ext");
        List<String> sans = new ArrayList<>();
        ipAddresses.forEach(ip -> sans.add("IP:" + ip));
        dnsNames.forEach(dns -> sans.add("DNS:" + dns));
        write(extensions, "basicConstraints=CA:FALSE\n"
                + "keyUsage=critical,digitalSignature,keyEncipherment\n"
                + "extendedKeyUsage=serverAuth\n"
                + "subjectAltName=" + String.join(",", sans) + "\n");
        openssl(dir, "req", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + name,
                "-keyout", pair.key().toString(), "-out", csr.toString());
        openssl(dir, "x509", "-req", "-in", csr.toString(), "-CA", ca.cert().toString(), "-CAkey", ca.key().toString(),
                "-CAcreateserial", "-days", DAYS, "-extfile", extensions.toString(), "-out", pair.cert().toString());
        return pair;
    }

    /** A plain RSA key pair in PEM (e.g. the API server's service-account signing key); returns the key's path. */
    public Path rsaKey(String name) {
        Path key = dir.resolve(name + ".key");
        openssl(dir, "genrsa", "-out", key.toString(), "2048");
        return key;
    }

    /** A TLS context that presents {@code pair} (for a test HTTPS server). */
    public SSLContext serverContext(PemPair pair) {
        Path p12 = dir.resolve(pair.cert().getFileName() + ".p12");
        openssl(dir, "pkcs12", "-export", "-in", pair.cert().toString(), "-inkey", pair.key().toString(),
                "-name", "server", "-passout", "pass:" + new String(STORE_PASSWORD), "-out", p12.toString());
        try (InputStream in = Files.newInputStream(p12)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, STORE_PASSWORD);
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, STORE_PASSWORD);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot load " + p12, e);
        }
    }

    /** A TLS context that trusts only this CA (for a client of a server whose certificate it signed). */
    public SSLContext clientContext() {
        try (InputStream in = Files.newInputStream(ca.cert())) {
            Certificate caCert = CertificateFactory.getInstance("X.509").generateCertificate(in);
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            store.setCertificateEntry("ca", caCert);
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot load " + ca.cert(), e);
        }
    }

    private static void openssl(Path dir, String... args) {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        Path log = dir.resolve("openssl.log");
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("openssl did not finish: " + command);
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("openssl failed (" + process.exitValue() + "): " + command
                        + "\n" + read(log));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run openssl (Debian package openssl)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running openssl", e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, String content) {
        try {
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
