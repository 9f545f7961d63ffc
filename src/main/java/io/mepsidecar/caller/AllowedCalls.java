package io.mepsidecar.caller;

import io.mepsidecar.config.SidecarConfig;
import io.mepsidecar.contract.Contract;
import io.mepsidecar.contract.ContractException;
import io.mepsidecar.error.ProblemType;
import io.mepsidecar.error.SidecarException;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The operations this app may call ({@code mep.calls}): a call to any other is a 403 before anything is published.
 * Every listed operation must be in the contract, or the sidecar does not start.
 */
@ApplicationScoped
public class AllowedCalls {

    private static final Logger LOG = Logger.getLogger(AllowedCalls.class);

    @Inject
    SidecarConfig config;

    @Inject
    Contract contract;

    /**
     * Set once, before the bean serves any call; null when {@code mep.calls} is unset, so that every operation may
     * be called and one the contract lacks is a 404, as without the list.
     */
    private Set<String> allowed;

    @PostConstruct
    void readAllowList() {
        Optional<Set<String>> calls = config.calls();
        if (calls.isEmpty()) {
            LOG.warnf("mep.calls (MEP_CALLS) is not set: this app may call every operation of the contract %s;"
                    + " list the ones it calls to refuse the others (docs/security.md)", names());
            return;
        }
        Set<String> listed = new TreeSet<>();
        for (String name : calls.get()) {
            String trimmed = name.strip();
            if (!trimmed.isEmpty()) {
                try {
                    listed.add(contract.require(trimmed).name());
                } catch (ContractException e) {
                    throw new ContractException("mep.calls (MEP_CALLS): " + e.getMessage());
                }
            }
        }
        allowed = Set.copyOf(listed);
        LOG.infof("this app may call %s (mep.calls)", listed);
    }

    /** Reads the list at start-up, so that a wrong one stops the start and an unset one is reported then. */
    void onStart(@Observes StartupEvent event) {
        LOG.debugf("operations this app may call: %s", allowed == null ? "all" : allowed);
    }

    /**
     * Refuses an operation this app may not call: a 403 problem, with the call's correlation id. It is checked
     * before the contract is, so an app that may not call learns nothing of the contract's other operations.
     */
    void check(String operation, String correlationId) {
        if (allowed != null && !allowed.contains(operation)) {
            throw new SidecarException(ProblemType.OPERATION_NOT_ALLOWED, "this app may not call operation '"
                    + operation + "' (it is not in the pod's mep.calls)", correlationId);
        }
    }

    private Set<String> names() {
        Set<String> names = new TreeSet<>();
        contract.operations().forEach(operation -> names.add(operation.name()));
        return names;
    }
}
