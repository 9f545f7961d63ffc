import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Locale;

/**
 * Writes the JRE trust store of the image ({@code lib/security/cacerts}, PKCS#12 without a password, as the JDK's own)
 * from a PEM bundle of CA certificates. Run by build-base.sh as a single-file program:
 * {@code java TrustStore.java BUNDLE.pem OUTPUT}.
 */
public final class TrustStore {

    public static void main(String[] args) throws Exception {
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        for (Certificate certificate : certificates) {
            X509Certificate x509 = (X509Certificate) certificate;
            String alias = x509.getSubjectX500Principal().getName().toLowerCase(Locale.ROOT)
                    + " [" + x509.getSerialNumber().toString(16) + "]";
            store.setCertificateEntry(alias, x509);
        }
        try (OutputStream out = Files.newOutputStream(Path.of(args[1]))) {
            store.store(out, new char[0]);
        }
        System.out.println("TrustStore: " + store.size() + " certificates in " + args[1]);
    }
}
