package dev.berth.examples.tomcat;

import dev.berth.registry.Registry;
import dev.berth.registry.servlet.RegistryServlet;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletRegistration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * What makes this war a registry: declared in {@code WEB-INF/web.xml}, it builds a {@link Registry} over filesystem
 * storage when the web application starts, mounts {@link RegistryServlet} at {@code /*} of the application's context,
 * and closes the registry when the application stops (undeploy, reload, container shutdown).
 *
 * <p>The storage folder is, in order: the context parameter {@value #STORAGE_FOLDER} (in Tomcat, a
 * {@code <Parameter>} in the context's XML, so the war stays untouched), the system property of the same name, or
 * {@code berth-data} under {@code catalina.base} (the working directory outside Tomcat).
 */
public final class RegistryWebapp implements ServletContextListener {
    public static final String STORAGE_FOLDER = "berth.storage.rootdirectory";

    private static final String REGISTRY_ATTRIBUTE = Registry.class.getName();

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        Path folder = storageFolder(context);
        Registry registry = Registry.builder()
                .storage("filesystem", Map.of("rootdirectory", folder.toString()))
                .build();
        // Kept as an attribute so that the application's other code (and contextDestroyed) can reach it.
        context.setAttribute(REGISTRY_ATTRIBUTE, registry);
        ServletRegistration.Dynamic servlet = context.addServlet("registry", new RegistryServlet(registry));
        servlet.addMapping("/*");
        servlet.setLoadOnStartup(1);
        servlet.setAsyncSupported(true); // blob bodies then move without holding a thread per slow client
        context.log("Berth registry at " + context.getContextPath() + "/v2/, storage in " + folder);
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        if (context.getAttribute(REGISTRY_ATTRIBUTE) instanceof Registry registry) {
            context.removeAttribute(REGISTRY_ATTRIBUTE);
            try {
                registry.close();
            } catch (IOException e) {
                throw new UncheckedIOException("closing the registry of " + context.getContextPath(), e);
            }
        }
    }

    static Path storageFolder(ServletContext context) {
        String configured = context.getInitParameter(STORAGE_FOLDER);
        if (configured == null || configured.isBlank()) {
            configured = System.getProperty(STORAGE_FOLDER);
        }
        if (configured == null || configured.isBlank()) {
            configured = Path.of(System.getProperty("catalina.base", "."), "berth-data").toString();
        }
        return Path.of(configured.trim()).toAbsolutePath();
    }
}
