package io.mepsidecar.service;

import io.mepsidecar.config.SidecarConfig;
import io.mepsidecar.contract.Contract;
import io.mepsidecar.contract.CorrelationIds;
import io.mepsidecar.contract.Dialect;
import io.mepsidecar.contract.HeaderValues;
import io.mepsidecar.contract.Hop;
import io.mepsidecar.contract.HopStamps;
import io.mepsidecar.contract.Operation;
import io.mepsidecar.contract.WireCorrelation;
import io.mepsidecar.contract.WireHeaders;
import io.mepsidecar.kafka.RecordHeaders;
import io.mepsidecar.kafka.TraceHeaders;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads a request record into what the app gets, or into the reason it cannot be served. Every header that becomes
 * an HTTP header toward the app is checked here, before any gauge counts the request; an unusable trace context
 * header is dropped rather than refused ({@link io.mepsidecar.contract.TraceContext}). The deadline of a
 * request-reply request is the caller's, but never later than the operation's timeout from now; a one-way message has
 * no caller waiting, and its deadline is how long the app has to take it: the operation's timeout from now.
 * <p>
 * The correlation id, reply topic and reply partition are read in whichever dialect the record carries them
 * ({@link Dialect}: CloudEvents, Spring, SmallRye), and the reply is written in the same one.
 */
@ApplicationScoped
public class RequestDecoder {

    @Inject
    SidecarConfig config;

    @Inject
    Contract contract;

    private Pattern replyTopics;

    @PostConstruct
    void compile() {
        replyTopics = Pattern.compile(config.service().replyTopics());
    }

    /** The request, or the rejection that sends the record to the dead-letter topic. */
    Decoded decode(Operation operation, ConsumerRecord<String, byte[]> record, Instant now) {
        try {
            return read(operation, record, now);
        } catch (RejectedException e) {
            return e.rejection;
        }
    }

    private AppRequest read(Operation operation, ConsumerRecord<String, byte[]> record, Instant now) {
        Headers headers = record.headers();
        WireCorrelation correlation = correlation(operation, record);
        String contentType = headerSafe(headers, WireHeaders.CONTENT_TYPE);
        String caller = headerSafe(headers, WireHeaders.SOURCE);
        byte[] body = record.value() == null ? new byte[0] : record.value();
        Instant latest = now.plus(operation.timeout());
        if (!operation.expectsReply()) {
            expiry(operation, record, now);
            return new AppRequest(correlation, latest, contentType, body, caller, null, null, null, null,
                    TraceHeaders.read(headers));
        }
        Dialect dialect = correlation.dialect();
        String replyTo = replyTopic(headers, dialect);
        Instant deadline = RecordHeaders.get(headers, WireHeaders.DEADLINE).map(RequestDecoder::instant)
                .orElseGet(() -> Instant.ofEpochMilli(record.timestamp()).plus(operation.timeout()));
        return new AppRequest(correlation, deadline.isAfter(latest) ? latest : deadline, contentType, body, caller,
                replyTo, RecordHeaders.get(headers, WireHeaders.REPLY_INSTANCE).orElse(null),
                dialect.decodePartition(value(headers, dialect.replyPartitionHeader())), hops(headers, now),
                TraceHeaders.read(headers));
    }

    /**
     * The record's correlation id, in the first dialect whose header it carries. A one-way message of an operation in
     * the Spring or SmallRye dialect may carry none (those libraries send events without one): its id is made from
     * where it lies, {@code <partition>@<offset>-<topic>}, so it is the same each time the record is read.
     */
    private static WireCorrelation correlation(Operation operation, ConsumerRecord<String, byte[]> record) {
        Optional<WireCorrelation> read = WireCorrelation.read(record.headers());
        if (read.isPresent()) {
            return read.get();
        }
        if (WireCorrelation.present(record.headers())) {
            throw undecodable("its correlation header is not a correlation id (" + CorrelationIds.RULE
                    + ", 16 bytes, or up to " + CorrelationIds.MAX_LENGTH / 2 + " bytes)");
        }
        if (operation.expectsReply() || operation.dialect() == Dialect.CLOUDEVENTS) {
            throw undecodable("no correlation header (" + Dialect.CORRELATION_HEADERS + ")");
        }
        String id = record.partition() + "@" + record.offset() + "-" + record.topic();
        return WireCorrelation.of(operation.dialect(),
                id.length() <= CorrelationIds.MAX_LENGTH ? id : id.substring(0, CorrelationIds.MAX_LENGTH));
    }

    private static byte[] value(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null ? null : header.value();
    }

    /**
     * A request whose caller traces it ({@code mep-hops}, whatever its value) gets this sidecar's stamps, the first
     * at {@code now}, when its handling started; null for any other (one lookup among the record's headers).
     */
    private static HopStamps hops(Headers headers, Instant now) {
        if (headers.lastHeader(WireHeaders.HOPS) == null) {
            return null;
        }
        HopStamps hops = new HopStamps();
        hops.stamp(Hop.CONSUMED, now);
        return hops;
    }

    private String replyTopic(Headers headers, Dialect dialect) {
        String header = dialect.replyTopicHeader();
        String replyTo = RecordHeaders.get(headers, header).orElseThrow(() -> new RejectedException(
                DeadLetterReason.REPLY_TOPIC_NOT_ALLOWED, "a request-reply request without " + header));
        if (!replyTopics.matcher(replyTo).matches()) {
            throw new RejectedException(DeadLetterReason.REPLY_TOPIC_NOT_ALLOWED, header
                    + " does not match mep.service.reply-topics (" + replyTopics.pattern() + ")");
        }
        if (contract.isRequestTopic(replyTo) || contract.isDeadLetterTopic(replyTo)) {
            throw new RejectedException(DeadLetterReason.REPLY_TOPIC_NOT_ALLOWED, header
                    + " names a request or dead-letter topic of the contract");
        }
        return replyTo;
    }

    private static void expiry(Operation operation, ConsumerRecord<String, byte[]> record, Instant now) {
        operation.expires().ifPresent(expires -> {
            Instant expired = Instant.ofEpochMilli(record.timestamp()).plus(expires);
            if (!now.isBefore(expired)) {
                throw new RejectedException(DeadLetterReason.EXPIRED, "the message of " + record.timestamp()
                        + " ms since the epoch is older than " + operation.name() + "'s expires (" + expires + ")");
            }
        });
    }

    /** A header that is handed to the app as an HTTP header: refused when it holds a control or non-ASCII byte. */
    private static String headerSafe(Headers headers, String name) {
        String value = RecordHeaders.get(headers, name).orElse(null);
        if (value != null && !HeaderValues.isSafe(value)) {
            throw undecodable(name + " holds a control or non-ASCII character");
        }
        return value;
    }

    private static Instant instant(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw undecodable(WireHeaders.DEADLINE + " is not an RFC 3339 instant");
        }
    }

    private static RejectedException undecodable(String detail) {
        return new RejectedException(DeadLetterReason.UNDECODABLE, detail);
    }

    private static final class RejectedException extends RuntimeException {

        private final transient Rejection rejection;

        RejectedException(DeadLetterReason reason, String detail) {
            super(detail, null, false, false);
            this.rejection = new Rejection(reason, detail);
        }
    }
}
