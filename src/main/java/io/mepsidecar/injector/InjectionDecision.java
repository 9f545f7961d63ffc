package io.mepsidecar.injector;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.List;
import java.util.Optional;

/**
 * What the injector does with one pod: a JSON Patch in a mode, or a skip reason. Warnings are for the user who
 * created the pod (the AdmissionResponse's {@code warnings}); the detail is for the injector's log.
 */
public record InjectionDecision(Optional<ArrayNode> patch, Optional<InjectionMode> mode, Optional<SkipReason> skipReason,
        List<String> warnings, String detail) {

    public InjectionDecision {
        warnings = List.copyOf(warnings);
    }

    public static InjectionDecision inject(ArrayNode patch, InjectionMode mode, List<String> warnings) {
        return new InjectionDecision(Optional.of(patch), Optional.of(mode), Optional.empty(), warnings,
                "injected (" + mode.label() + ")");
    }

    public static InjectionDecision skip(SkipReason reason, List<String> warnings, String detail) {
        return new InjectionDecision(Optional.empty(), Optional.empty(), Optional.of(reason), warnings, detail);
    }

    public boolean injected() {
        return patch.isPresent();
    }

    /** One word or two for logs and audit annotations: {@code injected (native)}, {@code skipped: not-requested}. */
    public String summary() {
        return skipReason.map(reason -> "skipped: " + reason.label()).orElse(detail);
    }
}
