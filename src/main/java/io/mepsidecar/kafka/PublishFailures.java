package io.mepsidecar.kafka;

import io.mepsidecar.error.Failures;
import io.mepsidecar.error.ProblemType;
import io.mepsidecar.error.SidecarException;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.RecordTooLargeException;


/** The problem a caller or app sees when a record could not be published: 413 if it never will be, else 503. */
public final class PublishFailures {

    private PublishFailures() {
    }

    /**
     * @param what what could not be published, e.g. "the request to topic quotes.get-quote"
     */
    public static SidecarException problem(Throwable error, String what, String correlationId) {
        Throwable cause = Failures.unwrap(error);
        if (cause instanceof RecordTooLargeException) {
            return new SidecarException(ProblemType.PAYLOAD_TOO_LARGE, what + " is larger than the Kafka producer"
                    + " accepts (kafka.max.request.size): " + cause.getMessage(), correlationId);
        }
        String refused = KafkaAccess.explain(cause, AclOperation.WRITE, null).orElse(null);
        return new SidecarException(ProblemType.BROKER_UNAVAILABLE, what + " could not be published: "
                + (refused != null ? refused : rootCause(cause)), correlationId);
    }

    private static String rootCause(Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }
}
