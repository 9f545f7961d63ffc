package io.mepsidecar.contract;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The operations callers may invoke and services may serve; the same contract is mounted into every pod. */
public final class Contract {

    private final Map<String, Operation> operations;

    public Contract(Collection<Operation> operations) {
        Map<String, Operation> byName = new LinkedHashMap<>();
        Map<String, String> topicOwners = new LinkedHashMap<>();
        for (Operation operation : operations) {
            if (byName.put(operation.name(), operation) != null) {
                throw new ContractException("operation '" + operation.name() + "' is declared twice");
            }
            String owner = topicOwners.putIfAbsent(operation.topic(), operation.name());
            if (owner != null) {
                throw new ContractException("operations '" + owner + "' and '" + operation.name()
                        + "' share topic '" + operation.topic() + "'; each operation needs its own topic");
            }
        }
        for (Operation operation : byName.values()) {
            String owner = topicOwners.get(operation.deadLetterTopic());
            if (owner != null) {
                throw new ContractException("operation '" + operation.name() + "' has dead-letter-topic '"
                        + operation.deadLetterTopic() + "', which is the request topic of '" + owner + "'");
            }
        }
        if (byName.isEmpty()) {
            throw new ContractException("the contract declares no operations");
        }
        this.operations = Collections.unmodifiableMap(byName);
    }

    public Optional<Operation> find(String name) {
        return Optional.ofNullable(operations.get(name));
    }

    /** The named operation; throws {@link ContractException} naming the known ones if it is not declared. */
    public Operation require(String name) {
        return find(name).orElseThrow(() -> new ContractException(
                "operation '" + name + "' is not in the contract; known operations: " + operations.keySet()));
    }

    public Collection<Operation> operations() {
        return operations.values();
    }

    /** True when the topic is where requests of an operation are published. */
    public boolean isRequestTopic(String topic) {
        return operations.values().stream().anyMatch(op -> op.topic().equals(topic));
    }

    /** True when the topic is the dead-letter topic of an operation. */
    public boolean isDeadLetterTopic(String topic) {
        return operations.values().stream().anyMatch(op -> op.deadLetterTopic().equals(topic));
    }
}
