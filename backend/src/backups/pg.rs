//! Running `pg_dump`, `pg_restore` and `psql` against the installation's database. The
//! connection is given to them in libpq's environment variables (`PGHOST`, `PGPASSWORD`, ...),
//! never on the command line, where any user of the machine could read it in the process
//! list. Their error output is returned with the password cut out.

use crate::config::Config;
use std::path::Path;
use std::process::Stdio;
use tokio::io::AsyncReadExt;
use tokio::process::Command;

/// The maximum length of a tool's error output that is kept, in characters.
const ERROR_LIMIT: usize = 4000;

#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    /// The executable does not exist; set its path in the environment.
    #[error("{program} was not found; install the PostgreSQL client tools or set {variable}")]
    Missing {
        program: String,
        variable: &'static str,
    },
    #[error("{program} failed: {output}")]
    Failed { program: String, output: String },
    #[error("{0}")]
    Io(String),
}

/// The libpq environment of the database connection.
#[derive(Clone)]
pub struct Connection {
    variables: Vec<(&'static str, String)>,
    password: Option<String>,
}

impl Connection {
    /// Reads `DATABASE_URL` (`postgres://user:password@host:port/name?sslmode=...`) into
    /// libpq variables. Query parameters libpq does not know are left out.
    pub fn from_url(database_url: &str) -> anyhow::Result<Connection> {
        let url = url::Url::parse(database_url)
            .map_err(|e| anyhow::anyhow!("DATABASE_URL is not a valid URL: {e}"))?;
        let decode = |text: &str| {
            url::form_urlencoded::parse(format!("x={text}").as_bytes())
                .next()
                .map(|(_, value)| value.into_owned())
                .unwrap_or_default()
        };
        let mut variables = Vec::new();
        if let Some(host) = url.host_str().filter(|h| !h.is_empty()) {
            let host = host.trim_start_matches('[').trim_end_matches(']');
            variables.push(("PGHOST", host.to_string()));
        }
        if let Some(port) = url.port() {
            variables.push(("PGPORT", port.to_string()));
        }
        if !url.username().is_empty() {
            variables.push(("PGUSER", decode(url.username())));
        }
        let database = url.path().trim_start_matches('/');
        if !database.is_empty() {
            variables.push(("PGDATABASE", decode(database)));
        }
        for (key, value) in url.query_pairs() {
            let name = match key.as_ref() {
                "host" => "PGHOST",
                "port" => "PGPORT",
                "user" => "PGUSER",
                "dbname" => "PGDATABASE",
                "sslmode" | "ssl-mode" => "PGSSLMODE",
                "sslrootcert" | "ssl-root-cert" => "PGSSLROOTCERT",
                "sslcert" | "ssl-cert" => "PGSSLCERT",
                "sslkey" | "ssl-key" => "PGSSLKEY",
                "application_name" => "PGAPPNAME",
                "options" => "PGOPTIONS",
                _ => continue,
            };
            variables.retain(|(existing, _)| *existing != name);
            variables.push((name, value.into_owned()));
        }
        let password = url.password().map(decode).filter(|p| !p.is_empty());
        Ok(Connection {
            variables,
            password,
        })
    }

    /// Builds a command for `program` with this connection in its environment. Every `PG*`
    /// variable of the server's own environment is removed first, so none of them can point the
    /// tool at another database.
    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("PG") {
                command.env_remove(name);
            }
        }
        for (name, value) in &self.variables {
            command.env(name, value);
        }
        if let Some(password) = &self.password {
            command.env("PGPASSWORD", password);
        }
        command
            .env("PGCONNECT_TIMEOUT", "10")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        command
    }

    /// Returns `text` with the password replaced and cut to [`ERROR_LIMIT`] characters.
    pub fn redact(&self, text: &str) -> String {
        let mut text = text.trim().to_string();
        if let Some(password) = &self.password {
            text = text.replace(password.as_str(), "********");
        }
        if text.chars().count() > ERROR_LIMIT {
            text = text.chars().take(ERROR_LIMIT).collect::<String>() + " …";
        }
        if text.is_empty() {
            "it exited without a message".into()
        } else {
            text
        }
    }
}

fn spawn_error(error: std::io::Error, program: &str, variable: &'static str) -> ToolError {
    if error.kind() == std::io::ErrorKind::NotFound {
        ToolError::Missing {
            program: program.to_string(),
            variable,
        }
    } else {
        ToolError::Io(format!("starting {program} failed: {error}"))
    }
}

async fn read_all(stream: Option<impl tokio::io::AsyncRead + Unpin>) -> String {
    let mut text = String::new();
    if let Some(mut stream) = stream {
        let mut bytes = Vec::new();
        let _ = stream.read_to_end(&mut bytes).await;
        text = String::from_utf8_lossy(&bytes).into_owned();
    }
    text
}

/// Writes a custom-format dump of the database to `out`.
pub async fn dump(
    config: &Config,
    connection: &Connection,
    out: std::fs::File,
) -> Result<(), ToolError> {
    let program = &config.pg_dump;
    let mut child = connection
        .command(program)
        .args(["--format=custom", "--no-password"])
        .stdout(Stdio::from(out))
        .spawn()
        .map_err(|e| spawn_error(e, program, "IPSOLIS_PG_DUMP"))?;
    let stderr = read_all(child.stderr.take()).await;
    let status = child
        .wait()
        .await
        .map_err(|e| ToolError::Io(format!("waiting for {program} failed: {e}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(ToolError::Failed {
            program: program.clone(),
            output: connection.redact(&stderr),
        })
    }
}

/// Returns the migration versions recorded in the archive at `path`: the rows of its
/// `_sqlx_migrations` table. Reading them also proves the file is a readable archive.
pub async fn archive_migrations(
    config: &Config,
    connection: &Connection,
    path: &Path,
) -> Result<Vec<i64>, ToolError> {
    let program = &config.pg_restore;
    let mut child = connection
        .command(program)
        .args(["--data-only", "--table=_sqlx_migrations", "--file=-"])
        .arg(path)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| spawn_error(e, program, "IPSOLIS_PG_RESTORE"))?;
    let (script, stderr) =
        tokio::join!(read_all(child.stdout.take()), read_all(child.stderr.take()));
    let status = child
        .wait()
        .await
        .map_err(|e| ToolError::Io(format!("waiting for {program} failed: {e}")))?;
    if !status.success() {
        return Err(ToolError::Failed {
            program: program.clone(),
            output: connection.redact(&stderr),
        });
    }
    Ok(copy_versions(&script))
}

/// Reads the first column of the rows in the `COPY ... _sqlx_migrations ... FROM stdin` block
/// of a `pg_restore` script.
fn copy_versions(script: &str) -> Vec<i64> {
    let mut versions = Vec::new();
    let mut in_copy = false;
    for line in script.lines() {
        if in_copy {
            if line == "\\." {
                in_copy = false;
                continue;
            }
            if let Some(version) = line.split('\t').next().and_then(|v| v.parse().ok()) {
                versions.push(version);
            }
        } else if line.starts_with("COPY ") && line.contains("_sqlx_migrations") {
            in_copy = true;
        }
    }
    versions
}

/// Runs first in the restore's transaction: drops every table, view, sequence, routine and
/// type of the `public` schema that no extension owns. `pg_restore --clean` alone drops only
/// what the archive contains, so a table that a newer migration added would stay, and running
/// that migration again after restoring an older backup would fail on it.
const DROP_EVERYTHING: &str = r#"
DO $$
DECLARE
    statement text;
    statements text[];
BEGIN
    SELECT coalesce(array_agg(format('DROP %s IF EXISTS %I.%I CASCADE',
            CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
            n.nspname, c.relname)), '{}')
      INTO statements
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                       AND d.objid = c.oid AND d.deptype = 'e');
    statements := statements || (
        SELECT coalesce(array_agg(format('DROP %s IF EXISTS %s CASCADE',
                CASE p.prokind WHEN 'a' THEN 'AGGREGATE' WHEN 'p' THEN 'PROCEDURE'
                    ELSE 'FUNCTION' END,
                p.oid::regprocedure)), '{}')
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = 'public'
           AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                           AND d.objid = p.oid AND d.deptype = 'e'));
    statements := statements || (
        SELECT coalesce(array_agg(format('DROP %s IF EXISTS %s CASCADE',
                CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, t.oid::regtype)), '{}')
          FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
         WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd', 'r', 'c')
           AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
           AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
                           AND d.objid = t.oid AND d.deptype = 'e'));
    FOREACH statement IN ARRAY statements LOOP
        EXECUTE statement;
    END LOOP;
END $$;
"#;

/// Replaces the database with the archive at `path`, all in one transaction: `pg_restore
/// --clean --if-exists --no-owner` writes the restore as SQL, and `psql --single-transaction`
/// runs [`DROP_EVERYTHING`] and then that SQL, stopping at the first error. The bytes pass
/// through this process, and `psql`'s input is closed only after `pg_restore` succeeded:
/// when `pg_restore` fails part-way, `psql` is killed before it can commit, so PostgreSQL rolls
/// the transaction back and the database stays as it was.
pub async fn restore(
    config: &Config,
    connection: &Connection,
    path: &Path,
) -> Result<(), ToolError> {
    let restore_program = &config.pg_restore;
    let mut producer = connection
        .command(restore_program)
        .args(["--clean", "--if-exists", "--no-owner", "--file=-"])
        .arg(path)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| spawn_error(e, restore_program, "IPSOLIS_PG_RESTORE"))?;
    let psql_program = &config.psql;
    let mut consumer = match connection
        .command(psql_program)
        .args([
            "--no-psqlrc",
            "--quiet",
            "--no-password",
            "--single-transaction",
            "--set=ON_ERROR_STOP=1",
            "--command",
            DROP_EVERYTHING,
            "--file=-",
        ])
        .stdin(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(error) => {
            let _ = producer.kill().await;
            return Err(spawn_error(error, psql_program, "IPSOLIS_PSQL"));
        }
    };

    let script = producer.stdout.take();
    let input = consumer.stdin.take();
    let producer_stderr = producer.stderr.take();
    let consumer_stderr = consumer.stderr.take();
    let pump = async {
        let copied = match (script, input) {
            (Some(mut script), Some(mut input)) => {
                let copied = tokio::io::copy(&mut script, &mut input).await.map(|_| ());
                (copied, Some(input))
            }
            _ => (
                Err(std::io::Error::other("the tools' pipes are missing")),
                None,
            ),
        };
        let (copied, input) = copied;
        if copied.is_err() {
            // psql stopped reading, so pg_restore would wait forever to write the rest.
            let _ = producer.start_kill();
        }
        let produced = producer.wait().await;
        let complete = copied.is_ok() && produced.as_ref().is_ok_and(|s| s.success());
        if !complete {
            // psql must never read the end of its input, which would commit a partial restore.
            let _ = consumer.start_kill();
        }
        drop(input);
        let consumed = consumer.wait().await;
        (complete, produced, consumed)
    };
    let ((complete, produced, consumed), producer_errors, consumer_errors) =
        tokio::join!(pump, read_all(producer_stderr), read_all(consumer_stderr));

    let psql_ok = matches!(&consumed, Ok(status) if status.success());
    if complete && psql_ok {
        return Ok(());
    }
    // When psql failed on a statement, its message is the cause; pg_restore then only saw its
    // output pipe close.
    if !consumer_errors.trim().is_empty() {
        return Err(ToolError::Failed {
            program: psql_program.clone(),
            output: connection.redact(&consumer_errors),
        });
    }
    let output = match produced {
        Err(error) => format!("waiting for it failed: {error}"),
        Ok(_) => connection.redact(&producer_errors),
    };
    Err(ToolError::Failed {
        program: restore_program.clone(),
        output,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variables(url: &str) -> Vec<(&'static str, String)> {
        Connection::from_url(url).unwrap().variables
    }

    #[test]
    fn url_becomes_libpq_variables_without_the_password() {
        let connection =
            Connection::from_url("postgres://ip%40solis:p%40ss%20w@db.example:6432/ip%20db")
                .unwrap();
        assert_eq!(
            connection.variables,
            [
                ("PGHOST", "db.example".to_string()),
                ("PGPORT", "6432".to_string()),
                ("PGUSER", "ip@solis".to_string()),
                ("PGDATABASE", "ip db".to_string()),
            ]
        );
        assert_eq!(connection.password.as_deref(), Some("p@ss w"));
    }

    #[test]
    fn known_query_parameters_are_kept() {
        let found = variables(
            "postgres://u@h/db?sslmode=verify-full&statement-cache-capacity=10&host=/run/pg",
        );
        assert!(found.contains(&("PGSSLMODE", "verify-full".to_string())));
        assert!(found.contains(&("PGHOST", "/run/pg".to_string())));
        assert_eq!(
            found.iter().filter(|(name, _)| *name == "PGHOST").count(),
            1
        );
    }

    #[test]
    fn redact_cuts_the_password() {
        let connection = Connection::from_url("postgres://u:s3cret@h/db").unwrap();
        let text = connection.redact("FATAL: password \"s3cret\" was rejected");
        assert_eq!(text, "FATAL: password \"********\" was rejected");
        assert_eq!(connection.redact("  "), "it exited without a message");
    }

    #[test]
    fn versions_are_read_from_the_copy_block() {
        let script = "SET x = 1;\nCOPY public._sqlx_migrations (version, description) FROM \
                      stdin;\n20261204000001\tfoundation\n20261204000002\ttokens\n\\.\n";
        assert_eq!(copy_versions(script), [20261204000001, 20261204000002]);
    }
}
