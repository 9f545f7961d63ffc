package io.mepsidecar.injector;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The running injector: the HTTPS webhook server, the management server, and the task that picks up a rotated
 * certificate. Ready once the HTTPS server listens; not ready again once closing.
 */
public final class InjectorServer implements AutoCloseable {

    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    private static final int WORKERS = 4;

    private final HttpServer management;
    private final HttpsServer webhook;
    private final ExecutorService workers = Executors.newFixedThreadPool(WORKERS, threads("injector-https"));
    private final ScheduledExecutorService reloader = Executors.newSingleThreadScheduledExecutor(threads("injector-tls"));
    private volatile boolean ready;

    private InjectorServer(InjectorSettings settings, InjectorConfig config, ServerTls tls) throws IOException {
        InjectorMetrics metrics = new InjectorMetrics();
        management = HttpServer.create(new InetSocketAddress(settings.bindAddress(), settings.managementPort()), 0);
        management.createContext("/", new ManagementHandler(metrics, () -> ready));
        management.setExecutor(Executors.newSingleThreadExecutor(threads("injector-management")));
        webhook = HttpsServer.create(new InetSocketAddress(settings.bindAddress(), settings.port()), 0);
        webhook.setHttpsConfigurator(configurator(tls.context()));
        webhook.createContext("/", new AdmissionHandler(new PodInjector(config), metrics));
        webhook.setExecutor(workers);
    }

    /**
     * Starts both servers and the certificate check.
     *
     * @throws IOException when a port cannot be bound
     */
    public static InjectorServer start(InjectorSettings settings, InjectorConfig config, ServerTls tls)
            throws IOException {
        InjectorServer server = new InjectorServer(settings, config, tls);
        server.management.start();
        server.webhook.start();
        long interval = settings.reloadInterval().toMillis();
        server.reloader.scheduleWithFixedDelay(tls::reloadIfChanged, interval, interval, TimeUnit.MILLISECONDS);
        server.ready = true;
        return server;
    }

    public int port() {
        return webhook.getAddress().getPort();
    }

    public int managementPort() {
        return management.getAddress().getPort();
    }

    /** Not ready first, then the webhook gets a second to finish the reviews in progress. */
    @Override
    public void close() {
        ready = false;
        reloader.shutdownNow();
        webhook.stop(1);
        workers.shutdownNow();
        management.stop(0);
        ((ExecutorService) management.getExecutor()).shutdownNow();
    }

    private static HttpsConfigurator configurator(SSLContext context) {
        return new HttpsConfigurator(context) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters parameters = context.getDefaultSSLParameters();
                parameters.setProtocols(PROTOCOLS);
                params.setSSLParameters(parameters);
            }
        };
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
