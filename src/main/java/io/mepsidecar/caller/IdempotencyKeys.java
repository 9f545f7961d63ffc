package io.mepsidecar.caller;

import io.mepsidecar.config.SidecarConfig;
import io.mepsidecar.config.SidecarIdentity;
import io.mepsidecar.memory.BoundedCache;
import io.mepsidecar.state.StateHandler;
import io.mepsidecar.state.StateHeaders;
import io.mepsidecar.state.StateRecord;
import io.mepsidecar.state.StateStore;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * {@code Idempotency-Key}s of the app's calls, over all its replicas (state topic keys {@code key/<SHA-256 of the
 * key>}), each kept until the deadline of the call it started: a retry with the same key and the same request joins
 * that call. The first key written to the topic wins, so two replicas that take the same key at once agree on one
 * call.
 */
@ApplicationScoped
public class IdempotencyKeys implements StateHandler {

    static final String PREFIX = "key/";
    private static final int ENTRY_BYTES = 320;

    /**
     * The call a key started.
     *
     * @param correlationId the call
     * @param digest        what was called: operation, content type and body
     * @param instance      the replica that took the key
     * @param deadline      until when the key holds
     */
    record Claim(String correlationId, String digest, String instance, Instant deadline) {
    }

    @Inject
    SidecarConfig config;

    @Inject
    SidecarIdentity identity;

    @Inject
    StateStore state;

    private BoundedCache<Claim> claims;

    @PostConstruct
    void createCache() {
        claims = new BoundedCache<>(config.caller().maxResults(), Long.MAX_VALUE, claim -> ENTRY_BYTES,
                (key, claim) -> Duration.between(Instant.now(), claim.deadline()), (key, claim) -> {
                    if (claim.instance().equals(identity.instanceId())) { // the claimer removes it from the topic
                        state.write(PREFIX + key, Map.of(), null);
                    }
                });
    }

    /** The call the key started, if it still holds. */
    Optional<Claim> find(String key) {
        return Optional.ofNullable(claims.get(hash(key)));
    }

    /**
     * Takes the key for a new call. Completes with the claim that holds once it is written: this one, or one another
     * replica wrote first.
     */
    CompletableFuture<Claim> claim(String key, String correlationId, String digest, Instant deadline) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(StateHeaders.STATE, StateHeaders.KEY);
        headers.put(StateHeaders.CORRELATION_ID, correlationId);
        headers.put(StateHeaders.DIGEST, digest);
        headers.put(StateHeaders.INSTANCE, identity.instanceId());
        headers.put(StateHeaders.DEADLINE, deadline.toString());
        String hashed = hash(key);
        Claim mine = new Claim(correlationId, digest, identity.instanceId(), deadline);
        return state.write(PREFIX + hashed, headers, new byte[0])
                .thenApply(written -> Optional.ofNullable(claims.get(hashed)).orElse(mine));
    }

    /** What a call with an idempotency key stands for: the same digest means the same request. */
    static String digest(String operation, String contentType, byte[] body, boolean async) {
        MessageDigest sha = sha256();
        sha.update((operation + '\0' + contentType + '\0' + async + '\0').getBytes(StandardCharsets.UTF_8));
        sha.update(body);
        return HexFormat.of().formatHex(sha.digest());
    }

    @Override
    public String prefix() {
        return PREFIX;
    }

    @Override
    public void apply(StateRecord record) {
        if (record.isTombstone()) {
            claims.remove(record.id());
            return;
        }
        Optional<String> correlationId = record.header(StateHeaders.CORRELATION_ID);
        Optional<String> digest = record.header(StateHeaders.DIGEST);
        Optional<Instant> deadline = record.header(StateHeaders.DEADLINE).map(Instant::parse);
        if (correlationId.isPresent() && digest.isPresent() && deadline.isPresent()) {
            // putIfRoom keeps the first claim of a key: a later one (a replica that raced) does not replace it
            claims.putIfRoom(record.id(), new Claim(correlationId.get(), digest.get(),
                    record.header(StateHeaders.INSTANCE).orElse(""), deadline.get()));
        }
    }

    private static String hash(String key) {
        return HexFormat.of().formatHex(sha256().digest(key.getBytes(StandardCharsets.UTF_8)));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
