package io.mepsidecar.contract;

/**
 * Values that may be written into an HTTP header as they are: printable ASCII, space and tab. Values read from Kafka
 * records (content type, caller) are checked with this before they are handed to an HTTP client, which would
 * otherwise fail on a control character after the request was counted as started.
 */
public final class HeaderValues {

    private HeaderValues() {
    }

    public static boolean isSafe(String value) {
        if (value == null) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < ' ' && c != '\t') || c > '~') {
                return false;
            }
        }
        return true;
    }
}
