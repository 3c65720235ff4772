package liaowang.devstack;

import org.apache.lucene.analysis.core.WhitespaceTokenizer;
import org.elasticsearch.index.analysis.PreConfiguredTokenizer;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;

import java.util.List;

/**
 * Registers the {@code whitespace} tokenizer so custom analyzers can use it (e.g. whitespace + lowercase over
 * pre-segmented Chinese text). The distribution gets it from the analysis-common module, which is not on Maven Central;
 * the built-in {@code whitespace} analyzer and {@code lowercase} filter are in the server jar already.
 */
public class WhitespaceTokenizerPlugin extends Plugin implements AnalysisPlugin {
    @Override
    public List<PreConfiguredTokenizer> getPreConfiguredTokenizers() {
        return List.of(PreConfiguredTokenizer.singleton("whitespace", WhitespaceTokenizer::new));
    }
}
