package liaowang.devstack;

import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.node.ClasspathPluginNode;
import org.elasticsearch.node.Node;
import org.elasticsearch.transport.netty4.Netty4Plugin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs a single-node Elasticsearch in this JVM for local development and tests.
 *
 * Usage: java -cp classes:lib/* liaowang.devstack.EmbeddedElasticsearch HOME HTTP_PORT TRANSPORT_PORT
 * HOME gets config/, data/, logs/ and tmp/. Logs go to stdout (the launcher redirects it to a file).
 * SIGTERM closes the node cleanly.
 */
public final class EmbeddedElasticsearch {
    private static final String LOG4J2 = """
        status = error
        appender.console.type = Console
        appender.console.name = console
        appender.console.layout.type = PatternLayout
        appender.console.layout.pattern = [%d{ISO8601}][%-5p][%-25c{1.}] [%node_name]%marker %m%n
        rootLogger.level = info
        rootLogger.appenderRef.console.ref = console
        # deprecation warnings are noise in a dev stack
        logger.deprecation.name = org.elasticsearch.deprecation
        logger.deprecation.level = error
        """;

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: EmbeddedElasticsearch HOME HTTP_PORT TRANSPORT_PORT");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        Files.createDirectories(home.resolve("config"));
        Files.writeString(home.resolve("config/log4j2.properties"), LOG4J2);

        Settings settings = Settings.builder()
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("cluster.name", "liaowang-dev")
            .put("node.name", "liaowang-dev-es")
            .put("discovery.type", "single-node")
            .put("network.host", "127.0.0.1")
            .put("http.port", args[1])
            .put("transport.port", args[2])
            // tests and cleanups delete indices by wildcard
            .put("action.destructive_requires_name", false)
            // a full dev disk must not flip indices to read-only
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .build();
        Environment environment = new Environment(settings, null);

        LogConfigurator.registerErrorListener();
        LogConfigurator.setNodeName(Node.NODE_NAME_SETTING.get(settings));
        LogConfigurator.configure(environment, true);

        Node node = new ClasspathPluginNode(environment, List.of(Netty4Plugin.class, RootInfoPlugin.class, WhitespaceTokenizerPlugin.class));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.prepareForClose();
                node.close();
                node.awaitClose(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }, "liaowang-es-shutdown"));
        node.start();
        System.out.println("liaowang-devstack: elasticsearch started on 127.0.0.1:" + args[1]);
        stopped.await();
    }
}
