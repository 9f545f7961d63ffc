package io.mepsidecar.injector;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM as cert-manager and Helm's {@code genSignedCert} write it: a certificate chain, and a private key in
 * PKCS#8 ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}) or SEC 1 ({@code EC PRIVATE KEY}). The last two are
 * wrapped into PKCS#8 here, so that the JDK's key factories can read them.
 */
public final class PemReader {

    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");
    private static final byte[] RSA_ENCRYPTION = oid(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01);
    private static final byte[] EC_PUBLIC_KEY = oid(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01);
    private static final byte[] VERSION_0 = {Der.INTEGER, 1, 0};

    private PemReader() {
    }

    /** @throws GeneralSecurityException when the text holds no certificate or a broken one */
    public static List<X509Certificate> certificates(String pem) throws GeneralSecurityException {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        List<X509Certificate> chain = new ArrayList<>();
        Matcher matcher = BLOCK.matcher(pem);
        while (matcher.find()) {
            if ("CERTIFICATE".equals(matcher.group(1))) {
                byte[] der = Base64.getMimeDecoder().decode(matcher.group(2));
                chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            }
        }
        if (chain.isEmpty()) {
            throw new GeneralSecurityException("no BEGIN CERTIFICATE block");
        }
        return chain;
    }

    /** @throws GeneralSecurityException when the text holds no private key this reader knows, or a broken one */
    public static PrivateKey privateKey(String pem) throws GeneralSecurityException {
        Matcher matcher = BLOCK.matcher(pem);
        while (matcher.find()) {
            String type = matcher.group(1);
            byte[] der = Base64.getMimeDecoder().decode(matcher.group(2));
            try {
                switch (type) {
                    case "PRIVATE KEY":
                        return pkcs8(der);
                    case "RSA PRIVATE KEY":
                        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(wrapRsa(der)));
                    case "EC PRIVATE KEY":
                        return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(wrapEc(der)));
                    case "ENCRYPTED PRIVATE KEY":
                        throw new GeneralSecurityException("the private key is encrypted; give it unencrypted");
                    default:
                        break;
                }
            } catch (IllegalArgumentException e) {
                throw new GeneralSecurityException("broken " + type + ": " + e.getMessage(), e);
            }
        }
        throw new GeneralSecurityException("no BEGIN PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block");
    }

    private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "RSASSA-PSS"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new GeneralSecurityException("a PRIVATE KEY of an algorithm other than RSA, EC or Ed25519");
    }

    /** PKCS#8 PrivateKeyInfo around a PKCS#1 RSAPrivateKey: version 0, rsaEncryption with NULL parameters. */
    static byte[] wrapRsa(byte[] pkcs1) {
        byte[] algorithm = Der.tlv(Der.SEQUENCE, RSA_ENCRYPTION, new byte[] {Der.NULL, 0});
        return Der.tlv(Der.SEQUENCE, VERSION_0, algorithm, Der.tlv(Der.OCTET_STRING, pkcs1));
    }

    /** PKCS#8 PrivateKeyInfo around a SEC 1 ECPrivateKey, whose [0] element names the curve. */
    static byte[] wrapEc(byte[] sec1) {
        byte[] curve = null;
        for (Der.Element element : Der.sequence(sec1)) {
            if (element.tag() == 0xa0) {
                curve = element.content();
            }
        }
        if (curve == null || curve.length == 0 || curve[0] != Der.OID) {
            throw new IllegalArgumentException("the EC key does not name its curve");
        }
        byte[] algorithm = Der.tlv(Der.SEQUENCE, EC_PUBLIC_KEY, curve);
        return Der.tlv(Der.SEQUENCE, VERSION_0, algorithm, Der.tlv(Der.OCTET_STRING, sec1));
    }

    private static byte[] oid(int... bytes) {
        byte[] content = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            content[i] = (byte) bytes[i];
        }
        return Der.tlv(Der.OID, content);
    }
}
