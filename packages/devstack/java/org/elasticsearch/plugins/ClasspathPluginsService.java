package org.elasticsearch.plugins;

import org.elasticsearch.Version;
import org.elasticsearch.common.settings.Settings;

import java.nio.file.Path;
import java.util.List;

/**
 * A PluginsService whose plugins are classes already on the JVM classpath (e.g. Netty4Plugin from the
 * transport-netty4 jar) instead of plugin/module directories. It lives in this package because
 * LoadedPlugin and loadPlugin are package-private.
 */
public class ClasspathPluginsService extends PluginsService {
    private final List<LoadedPlugin> classpathPlugins;

    public ClasspathPluginsService(Settings settings, Path configDir, PluginsLoader loader, List<Class<? extends Plugin>> classes) {
        super(settings, configDir, loader);
        this.classpathPlugins = classes.stream().map(c -> load(c, settings, configDir)).toList();
    }

    private static LoadedPlugin load(Class<? extends Plugin> pluginClass, Settings settings, Path configDir) {
        var descriptor = new PluginDescriptor(
            pluginClass.getSimpleName(),
            "classpath plugin " + pluginClass.getName(),
            Version.CURRENT.toString(),
            Version.CURRENT.toString(),
            "17",
            pluginClass.getName(),
            null,
            List.of(),
            false,
            false,
            false,
            false
        );
        Plugin instance = loadPlugin(pluginClass, settings, configDir);
        return new LoadedPlugin(descriptor, instance, pluginClass.getClassLoader());
    }

    @Override
    protected List<LoadedPlugin> plugins() {
        return classpathPlugins;
    }
}
