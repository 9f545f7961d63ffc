package io.mepsidecar.caller;

import io.mepsidecar.config.SidecarConfig;
import io.mepsidecar.config.SidecarIdentity;
import io.mepsidecar.contract.Contract;
import io.mepsidecar.contract.MediaTypes;
import io.mepsidecar.contract.WireHeaders;
import io.mepsidecar.error.Problem;
import io.mepsidecar.error.ProblemType;
import io.mepsidecar.kafka.ConsumerLoop;
import io.mepsidecar.kafka.KafkaClientSettings;
import io.mepsidecar.kafka.RecordHeaders;
import io.mepsidecar.lifecycle.ShutdownOrder;
import io.mepsidecar.kafka.TopicInitializer;
import io.mepsidecar.observability.InvalidReplyReason;
import io.mepsidecar.observability.SidecarMetrics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MediaType;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Collectors;

/**
 * Reads this app's reply topic and completes the waiting calls. It starts at the end: replies to calls made before
 * this instance started have nobody waiting for them. Calls are refused until its position is fixed, and a consumer
 * recreated after a failure resumes where the last one stopped, so no reply to an accepted call is skipped.
 */
@ApplicationScoped
public class ReplyListener extends ConsumerLoop {

    private static final Logger LOG = Logger.getLogger(ReplyListener.class);
    private static final Duration POLL_TIMEOUT = Duration.ofSeconds(1);

    @Inject
    KafkaClientSettings settings;

    @Inject
    SidecarIdentity identity;

    @Inject
    SidecarConfig config;

    @Inject
    Contract contract;

    @Inject
    PendingCalls pendingCalls;

    @Inject
    SidecarMetrics metrics;

    /**
     * Where to go on reading each partition: a consumer recreated after a failure resumes here instead of at the
     * end, so replies that arrived in between are not skipped. Touched by the loop thread only.
     */
    private final Map<TopicPartition, Long> positions = new HashMap<>();
    private volatile boolean ready;

    void onStart(@Observes StartupEvent event) {
        if (contract.operations().stream().anyMatch(op -> op.expectsReply())) {
            start("reply");
        }
    }

    void onStop(@Observes @Priority(ShutdownOrder.LISTENERS) ShutdownEvent event) {
        stop();
    }

    /** True once replies to new calls are sure to be read. */
    public boolean isReady() {
        return ready;
    }

    @Override
    protected Map<String, Object> consumerSettings() {
        return settings.replyConsumer();
    }

    @Override
    protected void open(Consumer<String, byte[]> consumer) {
        createReplyTopicIfMissing();
        List<PartitionInfo> partitions = consumer.partitionsFor(identity.replyTopic(), POLL_TIMEOUT.multipliedBy(10));
        if (partitions == null || partitions.isEmpty()) {
            throw new IllegalStateException("reply topic " + identity.replyTopic() + " does not exist");
        }
        List<TopicPartition> assigned = partitions.stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).collect(Collectors.toList());
        consumer.assign(assigned);
        for (TopicPartition partition : assigned) {
            Long position = positions.get(partition);
            if (position == null) {
                consumer.seekToEnd(List.of(partition));
                positions.put(partition, consumer.position(partition, POLL_TIMEOUT.multipliedBy(10)));
            } else {
                consumer.seek(partition, position);
            }
        }
        ready = true;
        LOG.infof("reading replies from %s (%d partitions)", identity.replyTopic(), assigned.size());
    }

    @Override
    protected void pollOnce(Consumer<String, byte[]> consumer) {
        ConsumerRecords<String, byte[]> records = consumer.poll(POLL_TIMEOUT);
        for (TopicPartition partition : records.partitions()) {
            List<ConsumerRecord<String, byte[]>> received = records.records(partition);
            received.forEach(this::accept);
            positions.put(partition, received.get(received.size() - 1).offset() + 1);
        }
    }

    @Override
    protected void closing(Consumer<String, byte[]> consumer) {
        ready = false;
    }

    private void createReplyTopicIfMissing() {
        if (!config.topics().create()) {
            return;
        }
        TopicInitializer.createMissing(settings.admin(),
                Map.of(identity.replyTopic(), Optional.of(config.topics().replyPartitions())));
    }

    private void accept(ConsumerRecord<String, byte[]> record) {
        Optional<String> instance = RecordHeaders.get(record.headers(), WireHeaders.REPLY_INSTANCE);
        if (instance.isPresent() && !instance.get().equals(identity.instanceId())) {
            return;
        }
        String operation = operationOf(record);
        Optional<String> correlationId = RecordHeaders.get(record.headers(), WireHeaders.CORRELATION_ID);
        if (correlationId.isEmpty()) {
            LOG.warnf("dropped a reply without %s at %s-%d@%d", WireHeaders.CORRELATION_ID, record.topic(),
                    record.partition(), record.offset());
            metrics.unmatchedReply(operation);
            return;
        }
        Reply reply = replyOf(record, operation, correlationId.get());
        if (!pendingCalls.complete(correlationId.get(), reply)) {
            LOG.debugf("dropped reply %s: no call waits for it", correlationId.get());
            metrics.unmatchedReply(operation);
        }
    }

    /**
     * The reply as the caller will see it. A status that is not a final HTTP status (200-599: a 1xx would leave the
     * caller's HTTP client waiting for the real response) makes it a 502 {@code bad-reply} problem; a content type
     * that is not a media type is answered as bytes.
     */
    private Reply replyOf(ConsumerRecord<String, byte[]> record, String operation, String correlationId) {
        String status = RecordHeaders.get(record.headers(), WireHeaders.STATUS).orElse("200");
        OptionalInt finalStatus = finalStatus(status);
        if (finalStatus.isEmpty()) {
            LOG.warnf("reply %s has %s '%s', not a final HTTP status; answered as 502 bad-reply", correlationId,
                    WireHeaders.STATUS, abbreviate(status));
            metrics.invalidReply(operation, InvalidReplyReason.STATUS);
            Problem problem = Problem.of(ProblemType.BAD_REPLY, "the reply has " + WireHeaders.STATUS + " '"
                    + abbreviate(status) + "', which is not a final HTTP status (200-599)", correlationId);
            return new Reply(problem.status(), Problem.MEDIA_TYPE, problem.toJson());
        }
        String contentType = RecordHeaders.get(record.headers(), WireHeaders.CONTENT_TYPE).orElse(null);
        if (contentType != null && !MediaTypes.isValid(contentType)) {
            LOG.warnf("reply %s has a content type that is not a media type; answered as %s", correlationId,
                    MediaType.APPLICATION_OCTET_STREAM);
            contentType = MediaType.APPLICATION_OCTET_STREAM;
        }
        return new Reply(finalStatus.getAsInt(), contentType, record.value() == null ? new byte[0] : record.value(),
                appDuration(record));
    }

    private String operationOf(ConsumerRecord<String, byte[]> record) {
        return RecordHeaders.get(record.headers(), WireHeaders.TYPE)
                .filter(type -> type.endsWith(WireHeaders.REPLY_TYPE_SUFFIX))
                .map(type -> type.substring(0, type.length() - WireHeaders.REPLY_TYPE_SUFFIX.length()))
                .filter(name -> contract.find(name).isPresent())
                .orElse(SidecarMetrics.UNKNOWN_OPERATION);
    }

    private static Duration appDuration(ConsumerRecord<String, byte[]> record) {
        try {
            return RecordHeaders.get(record.headers(), WireHeaders.APP_DURATION).map(Duration::parse).orElse(null);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static OptionalInt finalStatus(String text) {
        try {
            int status = Integer.parseInt(text.trim());
            return status >= 200 && status <= 599 ? OptionalInt.of(status) : OptionalInt.empty();
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    private static String abbreviate(String text) {
        String printable = text.replaceAll("[^ -~]", "?");
        return printable.length() <= 20 ? printable : printable.substring(0, 20) + "...";
    }
}
