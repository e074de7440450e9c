package dev.berth.spring.boot.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Reports a wrong {@code berth.*} property at startup as the property and what is wrong with it. */
class BerthConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<BerthConfigurationException> {
    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, BerthConfigurationException cause) {
        return new FailureAnalysis("The Berth registry could not start: the property '" + cause.property()
                + "' is wrong: " + cause.problem(),
                "Correct '" + cause.property() + "' in the application's configuration (the keys and their"
                        + " meanings are those of Berth's config.yml, below 'berth.').", cause);
    }
}
