package io.mepsidecar.injector;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The HTTPS server's certificate and key, read from PEM files and read again when they change (cert-manager and
 * Helm upgrades rotate them). One {@link SSLContext} for the server's lifetime; its key manager is swapped.
 */
public final class ServerTls {

    private static final Logger LOG = Logger.getLogger(ServerTls.class.getName());
    private static final char[] NO_PASSWORD = new char[0];

    private final Path certFile;
    private final Path keyFile;
    private final RotatingKeyManager keyManager;
    private final SSLContext context;
    private volatile Snapshot loaded;

    /** The files' bytes at the last successful load: a reload happens when either differs. */
    private record Snapshot(byte[] cert, byte[] key, List<X509Certificate> chain, PrivateKey privateKey) {

        X509Certificate leaf() {
            return chain.get(0);
        }
    }

    /** @throws IOException naming the file that cannot be read or used */
    public ServerTls(Path certFile, Path keyFile) throws IOException {
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.loaded = load(read(certFile), read(keyFile));
        this.keyManager = new RotatingKeyManager(keyManager(loaded));
        try {
            this.context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {keyManager}, null, new SecureRandom());
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    public SSLContext context() {
        return context;
    }

    /** The certificate new connections get. */
    public X509Certificate certificate() {
        return loaded.leaf();
    }

    /**
     * Reads both files and, when they changed and make a usable pair, serves them to new connections. A pair that
     * is not usable (one file written, the other not yet) is logged and tried again at the next call.
     *
     * @return true when a new certificate was taken
     */
    public boolean reloadIfChanged() {
        try {
            byte[] cert = read(certFile);
            byte[] key = read(keyFile);
            if (Arrays.equals(cert, loaded.cert()) && Arrays.equals(key, loaded.key())) {
                return false;
            }
            Snapshot next = load(cert, key);
            keyManager.swap(keyManager(next));
            loaded = next;
            LOG.info(() -> "TLS certificate reloaded: serial " + next.leaf().getSerialNumber().toString(16)
                    + ", valid until " + next.leaf().getNotAfter().toInstant());
            return true;
        } catch (IOException e) {
            LOG.log(Level.WARNING, "TLS certificate not reloaded, keeping the current one: {0}", e.getMessage());
            return false;
        }
    }

    private Snapshot load(byte[] cert, byte[] key) throws IOException {
        List<X509Certificate> chain;
        PrivateKey privateKey;
        try {
            chain = PemReader.certificates(new String(cert, StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IOException("certificate " + certFile + ": " + e.getMessage(), e);
        }
        try {
            privateKey = PemReader.privateKey(new String(key, StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IOException("key " + keyFile + ": " + e.getMessage(), e);
        }
        requireMatch(chain.get(0), privateKey);
        return new Snapshot(cert, key, chain, privateKey);
    }

    /** Signs and verifies a few bytes: a key that does not belong to the certificate fails here, not in handshakes. */
    private void requireMatch(X509Certificate leaf, PrivateKey key) throws IOException {
        String algorithm = "EC".equals(key.getAlgorithm()) ? "SHA256withECDSA"
                : "RSA".equals(key.getAlgorithm()) ? "SHA256withRSA" : key.getAlgorithm();
        try {
            byte[] probe = "mep-sidecar injector".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(leaf.getPublicKey());
            verifier.update(probe);
            if (!verifier.verify(signature)) {
                throw new IOException("key " + keyFile + " does not belong to certificate " + certFile);
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("key " + keyFile + " does not belong to certificate " + certFile + ": "
                    + e.getMessage(), e);
        }
    }

    private static X509ExtendedKeyManager keyManager(Snapshot snapshot) throws IOException {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", snapshot.privateKey(), NO_PASSWORD,
                    snapshot.chain().toArray(new Certificate[0]));
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, NO_PASSWORD);
            return (X509ExtendedKeyManager) factory.getKeyManagers()[0];
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use the certificate and key: " + e.getMessage(), e);
        }
    }

    private static byte[] read(Path file) throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IOException("cannot read " + file + " (" + e.getClass().getSimpleName() + ")", e);
        }
    }
}
