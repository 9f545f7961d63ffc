package io.mepsidecar.config;

import io.mepsidecar.contract.Contract;
import io.mepsidecar.contract.ContractException;
import io.mepsidecar.contract.ContractParser;
import io.mepsidecar.contract.Operation;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/** Resolves the configuration into what both roles use: the contract, this pod's identity and its served operations. */
@ApplicationScoped
public class SidecarSettings {

    private static final Logger LOG = Logger.getLogger(SidecarSettings.class);

    @Produces
    @Singleton
    Contract contract(SidecarConfig config) {
        return ContractParser.parse(config.contract());
    }

    @Produces
    @Singleton
    SidecarIdentity identity(SidecarConfig config) {
        String app = config.appName().trim();
        if (app.isEmpty()) {
            throw new ContractException("mep.app-name (MEP_APP_NAME) must not be empty");
        }
        String instance = config.instanceId()
                .or(() -> java.util.Optional.ofNullable(System.getenv("HOSTNAME")))
                .filter(s -> !s.isBlank())
                .orElseGet(() -> UUID.randomUUID().toString().substring(0, 8));
        String replyTopic = config.caller().replyTopic().orElse(app + ".replies");
        return new SidecarIdentity(app, instance, replyTopic);
    }

    @Produces
    @Singleton
    ServedOperations servedOperations(SidecarConfig config, Contract contract) {
        Set<String> names = config.serves().orElse(Set.of());
        for (String configured : config.service().operations().keySet()) {
            contract.require(configured);
            if (!names.contains(configured)) {
                LOG.warnf("mep.service.operations.\"%s\" is configured but %s is not in mep.serves %s; ignored",
                        configured, configured, names);
            }
        }
        List<ServedOperation> served = names.stream().sorted()
                .map(contract::require)
                .map(op -> new ServedOperation(op, path(config, op),
                        URI.create(AppUrls.resolve(config.appUrl(), path(config, op)))))
                .collect(Collectors.toList());
        return new ServedOperations(served);
    }

    private static String path(SidecarConfig config, Operation operation) {
        SidecarConfig.ServedOperation settings = config.service().operations().get(operation.name());
        String path = settings == null ? "/" + operation.name() : settings.path().orElse("/" + operation.name());
        return path.startsWith("/") ? path : "/" + path;
    }

}
