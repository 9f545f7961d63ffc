package io.mepsidecar.interop;

import io.opentelemetry.api.OpenTelemetry;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.mutiny.Multi;
import io.smallrye.reactive.messaging.ClientCustomizer;
import io.smallrye.reactive.messaging.kafka.DeserializationFailureHandler;
import io.smallrye.reactive.messaging.kafka.KafkaCDIEvents;
import io.smallrye.reactive.messaging.kafka.KafkaConnector;
import io.smallrye.reactive.messaging.kafka.KafkaConnectorIncomingConfiguration;
import io.smallrye.reactive.messaging.kafka.KafkaConnectorOutgoingConfiguration;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import io.smallrye.reactive.messaging.kafka.SerializationFailureHandler;
import io.smallrye.reactive.messaging.kafka.commit.KafkaCommitHandler;
import io.smallrye.reactive.messaging.kafka.commit.KafkaIgnoreCommit;
import io.smallrye.reactive.messaging.kafka.commit.KafkaLatestCommit;
import io.smallrye.reactive.messaging.kafka.commit.KafkaThrottledLatestProcessedCommit;
import io.smallrye.reactive.messaging.kafka.fault.KafkaFailStop;
import io.smallrye.reactive.messaging.kafka.fault.KafkaFailureHandler;
import io.smallrye.reactive.messaging.kafka.fault.KafkaIgnoreFailure;
import io.smallrye.reactive.messaging.kafka.impl.KafkaAdminClientRegistry;
import io.smallrye.reactive.messaging.kafka.impl.KafkaSink;
import io.smallrye.reactive.messaging.kafka.impl.KafkaSource;
import io.smallrye.reactive.messaging.kafka.reply.BytesCorrelationIdHandler;
import io.smallrye.reactive.messaging.kafka.reply.CorrelationIdHandler;
import io.smallrye.reactive.messaging.kafka.reply.KafkaRequestReply;
import io.smallrye.reactive.messaging.kafka.reply.KafkaRequestReplyImpl;
import io.smallrye.reactive.messaging.kafka.reply.ReplyFailureHandler;
import io.smallrye.reactive.messaging.kafka.reply.UUIDCorrelationIdHandler;
import io.smallrye.reactive.messaging.providers.DefaultEmitterConfiguration;
import io.smallrye.reactive.messaging.providers.impl.Configs;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.NotificationOptions;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.literal.NamedLiteral;
import jakarta.enterprise.util.TypeLiteral;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.lang.annotation.Annotation;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * SmallRye Reactive Messaging's Kafka connector, hosted without a CDI container: the library's own
 * {@link KafkaRequestReplyImpl}, {@link KafkaSource} and {@link KafkaSink} do all the Kafka work, configured with the
 * {@code mp.messaging.*} keys an application would write; this class only hands them what CDI would inject (the
 * connector's default strategies, looked up by their {@code @Identifier} as the library does) and wires a channel's
 * stream to its sink, as the library's mediators do for an {@code @Incoming}/{@code @Outgoing} method.
 *
 * <p>Not hosted: the CDI mediator that discovers annotated methods. A responder's method is applied to the incoming
 * messages with the same {@code Message.withPayload} a mediator uses, so the reply keeps the request's incoming
 * metadata, from which {@code KafkaSink} takes {@code REPLY_TOPIC}, {@code REPLY_PARTITION} and
 * {@code REPLY_CORRELATION_ID}.
 */
final class SmallRyeKafka implements AutoCloseable {

    private final Vertx vertx = Vertx.vertx();
    private final Config config;
    private final List<Runnable> closers = new ArrayList<>();

    private final KafkaCDIEvents events = new NoCdiEvents();
    private final KafkaAdminClientRegistry admins = new KafkaAdminClientRegistry();
    private final Beans<KafkaCommitHandler.Factory> commitHandlers = new Beans<KafkaCommitHandler.Factory>()
            .with(KafkaCommitHandler.Strategy.LATEST, new KafkaLatestCommit.Factory())
            .with(KafkaCommitHandler.Strategy.IGNORE, new KafkaIgnoreCommit.Factory())
            .with(KafkaCommitHandler.Strategy.THROTTLED, new KafkaThrottledLatestProcessedCommit.Factory());
    private final Beans<KafkaFailureHandler.Factory> failureHandlers = new Beans<KafkaFailureHandler.Factory>()
            .with(KafkaFailureHandler.Strategy.FAIL, new KafkaFailStop.Factory())
            .with(KafkaFailureHandler.Strategy.IGNORE, new KafkaIgnoreFailure.Factory());
    private final Beans<CorrelationIdHandler> correlationIdHandlers = new Beans<CorrelationIdHandler>()
            .with("bytes", bytesCorrelationIdHandler(12))
            .with("uuid", new UUIDCorrelationIdHandler());
    private final Beans<ReplyFailureHandler> replyFailureHandlers = new Beans<>();

    /** {@code properties}: the application's {@code mp.messaging.*} configuration. */
    SmallRyeKafka(Map<String, String> properties) {
        this.config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(properties, "interop-test", 500))
                .build();
    }

    /** Registers a {@link ReplyFailureHandler} under its identifier, as a {@code @Identifier} bean would be. */
    SmallRyeKafka replyFailureHandler(String identifier, ReplyFailureHandler handler) {
        replyFailureHandlers.with(identifier, handler);
        return this;
    }

    /**
     * The {@code KafkaRequestReply} an application gets for {@code @Inject @Channel(channel)} on
     * {@code mp.messaging.outgoing.<channel>}: its requests go out through the channel's {@code KafkaSink}.
     */
    <Req, Rep> KafkaRequestReply<Req, Rep> requestReply(String channel) {
        KafkaRequestReplyImpl<Req, Rep> requestReply = new KafkaRequestReplyImpl<>(
                new DefaultEmitterConfiguration(channel, null, null, null), 16, config, new Beans<>(), vertx, events,
                admins, new Beans<OpenTelemetry>(), commitHandlers, failureHandlers,
                new Beans<ClientCustomizer<Map<String, Object>>>(), new Beans<DeserializationFailureHandler<?>>(),
                correlationIdHandlers, replyFailureHandlers, new Beans<KafkaConsumerRebalanceListener>());
        KafkaSink sink = sink(channel);
        requestReply.getPublisher().subscribe(subscriber(sink));
        closers.add(requestReply::complete);
        return requestReply;
    }

    /**
     * A processor between {@code mp.messaging.incoming.<incoming>} and {@code mp.messaging.outgoing.<outgoing>}, as
     * an {@code @Incoming(incoming) @Outgoing(outgoing)} method returning a payload is: each request message becomes
     * its reply by {@code withPayload}.
     */
    <I, O> void processor(String incoming, String outgoing, Function<I, O> method) {
        this.<I>messageProcessor(incoming, outgoing,
                message -> message.withPayload(method.apply(message.getPayload())));
    }

    /** As {@link #processor}, for a method that takes and returns {@code Message}s (to add outgoing metadata). */
    @SuppressWarnings("unchecked")
    <I> void messageProcessor(String incoming, String outgoing, Function<Message<I>, Message<?>> method) {
        KafkaConnectorIncomingConfiguration incomingConfig = new KafkaConnectorIncomingConfiguration(
                Configs.incoming(config, KafkaConnector.CONNECTOR_NAME, incoming));
        KafkaSource<Object, Object> source = new KafkaSource<>(vertx,
                incomingConfig.getGroupId().orElse(incoming), incomingConfig, new Beans<OpenTelemetry>(),
                commitHandlers, failureHandlers, new Beans<KafkaConsumerRebalanceListener>(), events, admins,
                new Beans<ClientCustomizer<Map<String, Object>>>(), new Beans<DeserializationFailureHandler<?>>(), -1);
        closers.add(source::closeQuietly);
        KafkaSink sink = sink(outgoing);
        Multi.createFrom().publisher(source.getStream())
                .map(message -> method.apply((Message<I>) (Message<?>) message))
                .subscribe().withSubscriber(subscriber(sink));
    }

    private KafkaSink sink(String channel) {
        KafkaSink sink = new KafkaSink(new KafkaConnectorOutgoingConfiguration(
                Configs.outgoing(config, KafkaConnector.CONNECTOR_NAME, channel)), events, admins,
                new Beans<OpenTelemetry>(), new Beans<ClientCustomizer<Map<String, Object>>>(),
                new Beans<SerializationFailureHandler<?>>(), new Beans<ProducerInterceptor<?, ?>>());
        closers.add(sink::closeQuietly);
        return sink;
    }

    @SuppressWarnings("unchecked")
    private static java.util.concurrent.Flow.Subscriber<Message<?>> subscriber(KafkaSink sink) {
        return (java.util.concurrent.Flow.Subscriber<Message<?>>) sink.getSink();
    }

    private static BytesCorrelationIdHandler bytesCorrelationIdHandler(int length) {
        // CDI injects the length from smallrye.kafka.request-reply.correlation-id.bytes.length (default 12)
        BytesCorrelationIdHandler handler = new BytesCorrelationIdHandler();
        try {
            Field field = BytesCorrelationIdHandler.class.getDeclaredField("bytesLength");
            field.setAccessible(true);
            field.setInt(handler, length);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("BytesCorrelationIdHandler changed: " + e, e);
        }
        return handler;
    }

    @Override
    public void close() {
        for (int i = closers.size() - 1; i >= 0; i--) {
            try {
                closers.get(i).run();
            } catch (RuntimeException e) {
                // keep closing the rest
            }
        }
        vertx.closeAndAwait();
    }

    /** What CDI's {@code Instance} gives the library: beans by {@code @Identifier} (or {@code @Named}). */
    static final class Beans<T> implements Instance<T> {

        private final Map<String, T> byIdentifier;

        Beans() {
            this(new LinkedHashMap<>());
        }

        private Beans(Map<String, T> byIdentifier) {
            this.byIdentifier = byIdentifier;
        }

        Beans<T> with(String identifier, T bean) {
            byIdentifier.put(identifier, bean);
            return this;
        }

        @Override
        public Instance<T> select(Annotation... qualifiers) {
            for (Annotation qualifier : qualifiers) {
                String id = qualifier instanceof Identifier identifier ? identifier.value()
                        : qualifier instanceof NamedLiteral named ? named.value() : null;
                if (id != null) {
                    Map<String, T> matching = new LinkedHashMap<>();
                    if (byIdentifier.containsKey(id)) {
                        matching.put(id, byIdentifier.get(id));
                    }
                    return new Beans<>(matching);
                }
            }
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <U extends T> Instance<U> select(Class<U> subtype, Annotation... qualifiers) {
            return (Instance<U>) select(qualifiers);
        }

        @Override
        @SuppressWarnings("unchecked")
        public <U extends T> Instance<U> select(TypeLiteral<U> subtype, Annotation... qualifiers) {
            return (Instance<U>) select(qualifiers);
        }

        @Override
        public boolean isUnsatisfied() {
            return byIdentifier.isEmpty();
        }

        @Override
        public boolean isAmbiguous() {
            return byIdentifier.size() > 1;
        }

        @Override
        public void destroy(T instance) {
        }

        @Override
        public Handle<T> getHandle() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Iterable<? extends Handle<T>> handles() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Iterator<T> iterator() {
            return byIdentifier.values().iterator();
        }

        @Override
        public Stream<T> stream() {
            return byIdentifier.values().stream();
        }

        @Override
        public T get() {
            if (byIdentifier.size() != 1) {
                throw new IllegalStateException("not one bean: " + byIdentifier.keySet());
            }
            return byIdentifier.values().iterator().next();
        }
    }

    /** Nobody observes the connector's client events here. */
    private static final class NoCdiEvents extends KafkaCDIEvents {

        @Override
        public Event<org.apache.kafka.clients.consumer.Consumer<?, ?>> consumer() {
            return new NoEvent<>();
        }

        @Override
        public Event<org.apache.kafka.clients.consumer.ShareConsumer<?, ?>> shareConsumer() {
            return new NoEvent<>();
        }

        @Override
        public Event<org.apache.kafka.clients.producer.Producer<?, ?>> producer() {
            return new NoEvent<>();
        }
    }

    private static final class NoEvent<T> implements Event<T> {

        @Override
        public void fire(T event) {
        }

        @Override
        public <U extends T> CompletionStage<U> fireAsync(U event) {
            return CompletableFuture.completedFuture(event);
        }

        @Override
        public <U extends T> CompletionStage<U> fireAsync(U event, NotificationOptions options) {
            return CompletableFuture.completedFuture(event);
        }

        @Override
        public Event<T> select(Annotation... qualifiers) {
            return this;
        }

        @Override
        public <U extends T> Event<U> select(Class<U> subtype, Annotation... qualifiers) {
            return new NoEvent<>();
        }

        @Override
        public <U extends T> Event<U> select(TypeLiteral<U> subtype, Annotation... qualifiers) {
            return new NoEvent<>();
        }
    }
}
