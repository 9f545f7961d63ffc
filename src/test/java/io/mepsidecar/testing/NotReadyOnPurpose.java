package io.mepsidecar.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** A {@code @QuarkusTest} of a sidecar that cannot become ready (no broker): {@link AwaitReadyCallback} skips it. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface NotReadyOnPurpose {
}
