package io.mepsidecar.caller;

import io.mepsidecar.contract.ContractException;
import io.mepsidecar.contract.DurationParser;
import io.mepsidecar.contract.Operation;
import io.mepsidecar.error.ProblemType;
import io.mepsidecar.error.SidecarException;

import java.time.Duration;
import java.util.Optional;

/**
 * How one call is to be made, from the caller's headers: its style ({@code Prefer}), its timeout
 * ({@code Mep-Timeout}, at most the contract's) and where to deliver the result ({@code Mep-Callback}, a path on the
 * caller's own app).
 *
 * @param preferences the {@code Prefer} header
 * @param timeout     how long to wait for the reply
 * @param callback    path on the local app to POST the result to; only with {@code respond-async}
 */
public record CallOptions(Preferences preferences, Duration timeout, Optional<String> callback) {

    /** Reads and checks the caller's headers; a bad value is a 400 problem naming it. */
    public static CallOptions of(Operation operation, Preferences preferences, String timeoutHeader,
            String callbackHeader, String correlationId) {
        Duration timeout = timeout(operation, timeoutHeader, correlationId);
        Optional<String> callback = Optional.ofNullable(callbackHeader).map(String::trim).filter(s -> !s.isEmpty());
        callback.ifPresent(path -> checkCallback(path, operation, preferences, correlationId));
        return new CallOptions(preferences, timeout, callback);
    }

    private static Duration timeout(Operation operation, String header, String correlationId) {
        if (header == null || header.isBlank()) {
            return operation.timeout();
        }
        Duration asked;
        try {
            asked = DurationParser.parse(header);
        } catch (ContractException e) {
            throw badRequest(CallHeaders.TIMEOUT + ": " + e.getMessage(), correlationId);
        }
        if (asked.isZero() || asked.isNegative() || asked.compareTo(operation.timeout()) > 0) {
            throw badRequest(CallHeaders.TIMEOUT + " must be positive and at most the contract's timeout of "
                    + operation.name() + " (" + operation.timeout().toMillis() + " ms)", correlationId);
        }
        return asked;
    }

    private static void checkCallback(String path, Operation operation, Preferences preferences,
            String correlationId) {
        if (!operation.expectsReply()) {
            throw badRequest(CallHeaders.CALLBACK + " cannot be used with " + operation.name()
                    + ": it is a one-way operation, there is no reply to deliver", correlationId);
        }
        if (!preferences.respondAsync()) {
            throw badRequest(CallHeaders.CALLBACK + " needs 'Prefer: respond-async': a synchronous call returns"
                    + " its result in the response", correlationId);
        }
        CallbackPath.problem(path).ifPresent(why -> {
            throw badRequest(CallHeaders.CALLBACK + " must be a path on the caller's own app, such as"
                    + " /replies/quotes, and " + why, correlationId);
        });
    }

    private static SidecarException badRequest(String detail, String correlationId) {
        return new SidecarException(ProblemType.BAD_REQUEST, detail, correlationId);
    }
}
