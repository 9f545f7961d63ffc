package io.mepsidecar.injector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys and certificates as the openssl command writes them. */
class PemReaderTest {

    @TempDir
    static Path dir;
    static TestCertificates certificates;

    @BeforeAll
    static void makeCa() {
        certificates = new TestCertificates(dir);
    }

    @Test
    void readsPkcs8RsaKey() throws Exception {
        TestCertificates.Issued issued = certificates.issue("pkcs8", 10, TestCertificates.KeyFormat.PKCS8);

        assertThat(Files.readString(issued.key())).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(key(issued)).isInstanceOf(RSAPrivateCrtKey.class);
    }

    @Test
    void readsPkcs1RsaKeyAsTheSameKeyAsItsPkcs8Form() throws Exception {
        TestCertificates.Issued issued = certificates.issue("pkcs1", 11, TestCertificates.KeyFormat.PKCS1);
        Path pkcs8 = dir.resolve("pkcs1-as-pkcs8.key");
        certificates.openssl("pkey", "-in", issued.key().toString(), "-out", pkcs8.toString());

        assertThat(Files.readString(issued.key())).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(key(issued).getEncoded()).isEqualTo(PemReader.privateKey(Files.readString(pkcs8)).getEncoded());
    }

    @Test
    void readsSec1EcKey() throws Exception {
        TestCertificates.Issued issued = certificates.issue("ec", 12, TestCertificates.KeyFormat.EC);

        assertThat(Files.readString(issued.key())).startsWith("-----BEGIN EC PRIVATE KEY-----");
        assertThat(key(issued)).isInstanceOf(ECPrivateKey.class);
    }

    @Test
    void readsCertificateChainInOrder() throws Exception {
        TestCertificates.Issued issued = certificates.issue("chain", 13, TestCertificates.KeyFormat.PKCS8);
        String chain = Files.readString(issued.cert()) + Files.readString(certificates.caCert());

        assertThat(PemReader.certificates(chain)).hasSize(2)
                .first().satisfies(leaf -> assertThat(leaf.getSerialNumber().longValue()).isEqualTo(13));
    }

    @Test
    void refusesEncryptedKeySayingSo() {
        String encrypted = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n";

        assertThatThrownBy(() -> PemReader.privateKey(encrypted)).isInstanceOf(GeneralSecurityException.class)
                .hasMessageContaining("encrypted");
    }

    @Test
    void refusesTextWithoutKey() {
        assertThatThrownBy(() -> PemReader.privateKey("just text")).isInstanceOf(GeneralSecurityException.class)
                .hasMessageContaining("no BEGIN PRIVATE KEY");
    }

    private static PrivateKey key(TestCertificates.Issued issued) throws Exception {
        return PemReader.privateKey(Files.readString(issued.key()));
    }
}
