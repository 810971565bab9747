package com.apexseo.harness.neo4j;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

/**
 * Runs one real Neo4j instance for the test harness.
 *
 * <p>Usage: {@code Launcher <home-dir> <password> <bolt-port>}. Keeps the database in {@code home-dir} (created
 * on first start, reused as it is on the next), binds Bolt to {@code 127.0.0.1:<bolt-port>}, enables
 * authentication for the {@code neo4j} user (production always has auth on, so tests should too), prints
 * {@code BOLT_URL=bolt://127.0.0.1:<port>} on stdout once it accepts connections, and then waits. Started
 * again with the same arguments it is the same server: same port, same data, same password. That is what the
 * fault tests need to stop Neo4j and bring it back in place.
 *
 * <p>The engine is embedded directly (the same database the neo4j-harness builder embeds) because that
 * builder always works in a fresh random folder and deletes it on close.
 *
 * <p>It stops in order on SIGTERM (shutdown hook: the store is closed cleanly, nothing to recover on the next
 * start) and when its standard input closes: the harness holds the other end of that pipe, so the database
 * goes away with its parent even when the parent is killed with SIGKILL.
 */
public final class Launcher {
  private Launcher() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 3) {
      System.err.println("usage: Launcher <home-dir> <password> <bolt-port>");
      System.exit(2);
    }
    Path home = Path.of(args[0]).toAbsolutePath();
    String password = args[1];
    int port = Integer.parseInt(args[2]);
    // The system database holds the users: if it exists, the password was set by an earlier start.
    boolean fresh = !Files.isDirectory(home.resolve("data").resolve("databases").resolve("system"));

    DatabaseManagementService dbms =
        new DatabaseManagementServiceBuilder(home)
            .setConfig(BoltConnector.enabled, true)
            .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
            .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
            .setConfig(GraphDatabaseSettings.auth_enabled, true)
            // As the neo4j-harness does: a tiny page cache keeps the process small on a shared machine.
            .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(8))
            .build();
    AtomicBoolean closed = new AtomicBoolean(false);
    Runnable shutdown =
        () -> {
          if (closed.compareAndSet(false, true)) dbms.shutdown();
        };
    Runtime.getRuntime().addShutdownHook(new Thread(shutdown, "neo4j-launcher-shutdown"));

    if (fresh) {
      dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME)
          .executeTransactionally(
              "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED", Map.of("password", password));
    }
    // Both databases answer before the URL is printed, so a client never sees a half-started server.
    dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME).executeTransactionally("RETURN 1");

    System.out.println("BOLT_URL=bolt://127.0.0.1:" + port);
    System.out.flush();

    InputStream in = System.in;
    byte[] buffer = new byte[256];
    while (in.read(buffer) != -1) {
      // Input is ignored: only end-of-stream matters.
    }
    shutdown.run();
    System.exit(0);
  }
}
