// Entry point for the test OpenSearch: OpenSearchRunner's own main, except that the HTTP port is exactly
// baseHttpPort + 1. The stock main scans upward for a free port (and never past 9299), so a taken port
// would silently move the server; setMaxHttpPort(-1) turns the scan off and a taken port fails the start.
// Run in source-file mode: java -cp 'libs/*' WardenOpenSearchRunner.java -basePath ... -numOfNode 1 ...
import org.codelibs.opensearch.runner.OpenSearchRunner;

public final class WardenOpenSearchRunner {
    public static void main(String[] args) throws Exception {
        OpenSearchRunner runner = new OpenSearchRunner();
        runner.setMaxHttpPort(-1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                runner.close();
            } catch (Exception e) {
                e.printStackTrace();
            }
        }));
        try {
            runner.build(args);
        } catch (RuntimeException e) {
            e.printStackTrace();  // the stock main exits 1 without saying why
            System.exit(1);
        }
        while (!runner.isClosed()) {
            Thread.sleep(1000);
        }
    }
}
