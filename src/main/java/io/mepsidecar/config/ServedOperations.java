package io.mepsidecar.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The operations this pod serves, looked up by request topic when a request arrives. */
public final class ServedOperations {

    private final List<ServedOperation> operations;
    private final Map<String, ServedOperation> byTopic;

    public ServedOperations(List<ServedOperation> operations) {
        this.operations = List.copyOf(operations);
        this.byTopic = operations.stream().collect(Collectors.toMap(s -> s.operation().topic(), Function.identity()));
    }

    public List<ServedOperation> all() {
        return operations;
    }

    public boolean isEmpty() {
        return operations.isEmpty();
    }

    public Optional<ServedOperation> byTopic(String topic) {
        return Optional.ofNullable(byTopic.get(topic));
    }

    public List<String> topics() {
        return operations.stream().map(s -> s.operation().topic()).collect(Collectors.toList());
    }
}
