package io.mepsidecar.injector;

import java.math.BigDecimal;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Kubernetes resource quantities ({@code 100m}, {@code 0.5}, {@code 192Mi}, {@code 1e3}), read as numbers. */
final class Quantities {

    private static final Pattern QUANTITY =
            Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\\d+)?");
    private static final Map<String, BigDecimal> SUFFIXES = Map.ofEntries(
            Map.entry("Ki", BigDecimal.valueOf(2).pow(10)), Map.entry("Mi", BigDecimal.valueOf(2).pow(20)),
            Map.entry("Gi", BigDecimal.valueOf(2).pow(30)), Map.entry("Ti", BigDecimal.valueOf(2).pow(40)),
            Map.entry("Pi", BigDecimal.valueOf(2).pow(50)), Map.entry("Ei", BigDecimal.valueOf(2).pow(60)),
            Map.entry("n", BigDecimal.ONE.scaleByPowerOfTen(-9)), Map.entry("u", BigDecimal.ONE.scaleByPowerOfTen(-6)),
            Map.entry("m", BigDecimal.ONE.scaleByPowerOfTen(-3)), Map.entry("", BigDecimal.ONE),
            Map.entry("k", BigDecimal.ONE.scaleByPowerOfTen(3)), Map.entry("M", BigDecimal.ONE.scaleByPowerOfTen(6)),
            Map.entry("G", BigDecimal.ONE.scaleByPowerOfTen(9)), Map.entry("T", BigDecimal.ONE.scaleByPowerOfTen(12)),
            Map.entry("P", BigDecimal.ONE.scaleByPowerOfTen(15)), Map.entry("E", BigDecimal.ONE.scaleByPowerOfTen(18)));

    private Quantities() {
    }

    /** @throws IllegalArgumentException when the text is not a quantity without sign */
    static BigDecimal parse(String text) {
        Matcher matcher = QUANTITY.matcher(text);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("expected a resource quantity such as 100m, 0.5, 256Mi or 1Gi");
        }
        BigDecimal number = new BigDecimal(matcher.group(1));
        String suffix = matcher.group(2) == null ? "" : matcher.group(2);
        if (suffix.length() > 1 && (suffix.charAt(0) == 'e' || suffix.charAt(0) == 'E')) {
            return number.scaleByPowerOfTen(Integer.parseInt(suffix.substring(1)));
        }
        return number.multiply(SUFFIXES.get(suffix));
    }

    /** The name of the first resource whose request is above its limit, or null. */
    static String requestAboveLimit(Map<String, String> requests, Map<String, String> limits) {
        for (Map.Entry<String, String> request : requests.entrySet()) {
            String limit = limits.get(request.getKey());
            if (limit != null && parse(request.getValue()).compareTo(parse(limit)) > 0) {
                return request.getKey();
            }
        }
        return null;
    }
}
