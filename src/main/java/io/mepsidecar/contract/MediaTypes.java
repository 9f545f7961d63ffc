package io.mepsidecar.contract;

import java.util.regex.Pattern;

/**
 * The syntax of a media type (RFC 9110 section 8.3.1): {@code type/subtype} followed by {@code ; name=value}
 * parameters, the value a token or a quoted string. Payload content types travel opaquely; only their syntax is
 * checked, so that whatever reaches a header on the other side can be parsed there.
 */
public final class MediaTypes {

    private static final String TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
    private static final String QUOTED = "\"(?:[\\t !#-\\[\\]-~]|\\\\[\\t -~])*\"";
    private static final Pattern MEDIA_TYPE = Pattern.compile(TOKEN + "/" + TOKEN
            + "(?:[ \\t]*;[ \\t]*" + TOKEN + "=(?:" + TOKEN + "|" + QUOTED + "))*[ \\t]*");

    private MediaTypes() {
    }

    public static boolean isValid(String value) {
        return value != null && value.length() <= 1024 && MEDIA_TYPE.matcher(value).matches();
    }
}
