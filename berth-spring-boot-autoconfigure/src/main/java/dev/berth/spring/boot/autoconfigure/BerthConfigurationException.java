package dev.berth.spring.boot.autoconfigure;

/**
 * A {@code berth.*} property that is missing or wrong, named as the application's configuration spells it
 * ({@code berth.storage.filesystem.rootdirectory}); {@link BerthConfigurationFailureAnalyzer} turns it into
 * Spring Boot's startup failure report.
 */
public class BerthConfigurationException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final String property;
    private final String problem;

    public BerthConfigurationException(String property, String problem) {
        this(property, problem, null);
    }

    public BerthConfigurationException(String property, String problem, Throwable cause) {
        super(property + ": " + problem, cause);
        this.property = property;
        this.problem = problem;
    }

    /** The property (or section) that is wrong, e.g. {@code berth.storage.filesystem.rootdirectory}. */
    public String property() {
        return property;
    }

    /** What is wrong with it, without the name. */
    public String problem() {
        return problem;
    }
}
