package com.apexseo.harness.neo4j;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilders;

/**
 * Runs one real Neo4j instance for the test harness.
 *
 * <p>Usage: {@code Launcher <working-dir> <password>}. Binds Bolt to a free port on 127.0.0.1, enables
 * authentication for the {@code neo4j} user with the given password (production always has auth on,
 * so tests should too), prints {@code BOLT_URL=bolt://127.0.0.1:<port>} on stdout and then waits.
 *
 * <p>It stops when its standard input closes: the harness holds the other end of that pipe, so the
 * database goes away with its parent even when the parent is killed with SIGKILL.
 */
public final class Launcher {
  private Launcher() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: Launcher <working-dir> <password>");
      System.exit(2);
    }
    Path workingDir = Path.of(args[0]);
    String password = args[1];

    Neo4j neo4j =
        Neo4jBuilders.newInProcessBuilder(workingDir)
            .withDisabledServer()
            .withConfig(BoltConnector.enabled, true)
            .withConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", 0))
            .withConfig(GraphDatabaseSettings.auth_enabled, true)
            .build();
    try {
      neo4j
          .databaseManagementService()
          .database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME)
          .executeTransactionally(
              "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED", Map.of("password", password));

      System.out.println("BOLT_URL=" + neo4j.boltURI());
      System.out.flush();

      InputStream in = System.in;
      byte[] buffer = new byte[256];
      while (in.read(buffer) != -1) {
        // Input is ignored: only end-of-stream matters.
      }
    } finally {
      neo4j.close();
    }
    System.exit(0);
  }
}
