package io.mepsidecar.injector;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The little ASN.1 DER that PEM keys need: reading the elements of a SEQUENCE and writing TLVs. */
final class Der {

    static final int INTEGER = 0x02;
    static final int OCTET_STRING = 0x04;
    static final int NULL = 0x05;
    static final int OID = 0x06;
    static final int SEQUENCE = 0x30;

    private Der() {
    }

    /** An element as read: its tag and its whole encoding (tag, length, content). */
    record Element(int tag, byte[] encoded, byte[] content) {
    }

    static byte[] tlv(int tag, byte[]... contents) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] part : contents) {
            content.writeBytes(part);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        out.writeBytes(length(content.size()));
        out.writeBytes(content.toByteArray());
        return out.toByteArray();
    }

    /** The elements inside the SEQUENCE that {@code der} is. */
    static List<Element> sequence(byte[] der) {
        Element outer = read(der, 0);
        if (outer.tag() != SEQUENCE) {
            throw new IllegalArgumentException("expected a DER SEQUENCE");
        }
        List<Element> elements = new ArrayList<>();
        byte[] content = outer.content();
        for (int offset = 0; offset < content.length; offset += elements.get(elements.size() - 1).encoded().length) {
            elements.add(read(content, offset));
        }
        return elements;
    }

    private static Element read(byte[] der, int offset) {
        if (offset + 2 > der.length) {
            throw new IllegalArgumentException("truncated DER");
        }
        int tag = der[offset] & 0xff;
        int first = der[offset + 1] & 0xff;
        int header = 2;
        int length = first;
        if (first > 0x7f) {
            int bytes = first & 0x7f;
            if (bytes > 3 || offset + 2 + bytes > der.length) {
                throw new IllegalArgumentException("unsupported DER length");
            }
            length = 0;
            for (int i = 0; i < bytes; i++) {
                length = (length << 8) | (der[offset + 2 + i] & 0xff);
            }
            header += bytes;
        }
        int end = offset + header + length;
        if (end > der.length) {
            throw new IllegalArgumentException("truncated DER");
        }
        return new Element(tag, Arrays.copyOfRange(der, offset, end), Arrays.copyOfRange(der, offset + header, end));
    }

    private static byte[] length(int length) {
        if (length < 0x80) {
            return new byte[] {(byte) length};
        }
        if (length < 0x100) {
            return new byte[] {(byte) 0x81, (byte) length};
        }
        if (length < 0x10000) {
            return new byte[] {(byte) 0x82, (byte) (length >> 8), (byte) length};
        }
        return new byte[] {(byte) 0x83, (byte) (length >> 16), (byte) (length >> 8), (byte) length};
    }
}
