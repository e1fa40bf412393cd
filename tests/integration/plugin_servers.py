"""Real servers on loopback for the agent's plugin tests and bench/plugins: each with its own
data directory and port, started by a function that returns a Server (stop() ends it)."""
import glob
import os
import shutil
import signal
import socket
import subprocess

from conftest import free_port, wait_for

PG_BIN = (sorted(glob.glob("/usr/lib/postgresql/*/bin")) or ["/usr/bin"])[-1]


def run(argv, **kw):
    return subprocess.run(argv, check=True, capture_output=True, text=True, timeout=120, **kw)


def wait_port(port, what):
    def up():
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return True
        except OSError:
            return False
    wait_for(up, timeout=60, what=what)


class Server:
    def __init__(self, argv, port, what, user=None, env=None):
        self.argv, self.port, self.what, self.user, self.env = argv, port, what, user, env
        self.proc = None

    def start(self):
        argv = (["runuser", "-u", self.user, "--"] if self.user else []) + self.argv
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     env=self.env, start_new_session=True)
        wait_port(self.port, self.what)
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None


def start_postgres(tmp):
    data = os.path.join(tmp, "pg")
    os.mkdir(data, 0o700)
    user = "postgres" if os.geteuid() == 0 else None
    if user:
        shutil.chown(data, user, user)
    pre = ["runuser", "-u", user, "--"] if user else []
    run(pre + [PG_BIN + "/initdb", "-D", data, "-U", "postgres", "--auth=trust", "-N"])
    with open(os.path.join(data, "pg_hba.conf"), "w") as f:
        f.write("local all all trust\nhost all postgres 127.0.0.1/32 trust\n"
                "host replication postgres 127.0.0.1/32 trust\n"
                "host all all 127.0.0.1/32 scram-sha-256\n")
    port = free_port()
    srv = Server([PG_BIN + "/postgres", "-D", data, "-p", str(port), "-k", data,
                  "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"], port, "postgres",
                 user=user).start()
    wait_for(lambda: subprocess.run(pre + [PG_BIN + "/psql", "-h", data, "-p", str(port), "-U",
                                           "postgres", "-c", "select 1"],
                                    capture_output=True).returncode == 0, timeout=30,
             what="postgres ready")
    for sql in ("CREATE USER campusmon PASSWORD 'pg-secret' IN ROLE pg_monitor",
                "CREATE DATABASE app"):
        run(pre + [PG_BIN + "/psql", "-h", data, "-p", str(port), "-U", "postgres", "-c", sql])
    srv.data, srv.pre = data, pre
    return srv


def start_pg_standby(tmp, primary):
    """A streaming standby of primary (pg_basebackup -R), on its own port and directory."""
    data = os.path.join(tmp, "pg-standby")
    os.mkdir(data, 0o700)
    if primary.user:
        shutil.chown(data, primary.user, primary.user)
    run(primary.pre + [PG_BIN + "/pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port),
                       "-U", "postgres", "-D", data, "-R", "-X", "stream", "--checkpoint=fast"])
    port = free_port()
    srv = Server([PG_BIN + "/postgres", "-D", data, "-p", str(port), "-k", data,
                  "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
                  "-c", "primary_conninfo=host=127.0.0.1 port=%d user=postgres "
                  "application_name=standby1" % primary.port], port, "postgres standby",
                 user=primary.user).start()
    srv.data = data
    return srv


def start_mariadb(tmp, name="my", server_id=1, primary=None):
    """MariaDB with a binary log (server_id 1); with primary=, a replica of it (GTID)."""
    data = os.path.join(tmp, name)
    os.mkdir(data, 0o700)
    run(["mariadb-install-db", "--no-defaults", "--datadir=" + data, "--user=root",
         "--skip-test-db", "--auth-root-authentication-method=socket"])
    port = free_port()
    sock = os.path.join(data, "sock")
    binlog = ["--log-bin=" + os.path.join(data, "bin")] if primary is None else ["--skip-log-bin"]
    srv = Server(["mariadbd", "--no-defaults", "--datadir=" + data, "--socket=" + sock,
                  "--port=%d" % port, "--bind-address=127.0.0.1", "--user=root",
                  "--server-id=%d" % server_id, "--innodb-buffer-pool-size=16M",
                  "--pid-file=" + os.path.join(data, "pid")] + binlog, port, "mariadbd").start()
    srv.sock = sock

    def sql(q, target=srv):
        return run(["mariadb", "--no-defaults", "-S", target.sock, "-u", "root", "-N", "-e", q])
    srv.sql = sql
    # REPLICA MONITOR: SHOW REPLICA STATUS on MariaDB 10.5+ (REPLICATION CLIENT before)
    users = ("CREATE USER 'campusmon'@'127.0.0.1' IDENTIFIED BY 'my-secret';"
             "GRANT PROCESS, REPLICATION CLIENT, REPLICA MONITOR ON *.* TO "
             "'campusmon'@'127.0.0.1';")
    if primary is None:
        sql("SET sql_log_bin = 0;" + users +
            "CREATE USER 'repl'@'127.0.0.1' IDENTIFIED BY 'repl-secret';"
            "GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1';")
    else:
        pos = primary.sql("SELECT @@gtid_binlog_pos").stdout.strip()
        sql(users + "SET GLOBAL gtid_slave_pos = '%s';"
            "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=%d, MASTER_USER='repl',"
            " MASTER_PASSWORD='repl-secret', MASTER_USE_GTID=slave_pos; START SLAVE;"
            % (pos, primary.port))
    return srv


def start_redis(tmp):
    port = free_port()
    d = os.path.join(tmp, "redis")
    os.mkdir(d)
    srv = Server(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                  "--appendonly", "no", "--dir", d, "--requirepass", "redis-secret"], port,
                 "redis")
    return srv.start()


def start_nginx(tmp):
    d = os.path.join(tmp, "nginx")
    os.mkdir(d)
    port = free_port()
    conf = os.path.join(d, "nginx.conf")
    with open(conf, "w") as f:
        f.write("daemon off; pid %s/pid; error_log %s/err;\nevents {}\nhttp {\n access_log off;\n"
                " client_body_temp_path %s/cb; proxy_temp_path %s/pt; fastcgi_temp_path %s/ft;"
                " uwsgi_temp_path %s/ut; scgi_temp_path %s/st;\n"
                " server { listen 127.0.0.1:%d;\n  location = /nginx_status { stub_status; }\n"
                "  location = /hello { return 200 \"hello campus\\n\"; }\n"
                "  location = /moved { return 302 /hello; }\n"
                "  location = /big { return 200 \"%s\"; }\n }\n}\n"
                % ((d,) * 7 + (port, "x" * 2000)))
    return Server(["nginx", "-c", conf, "-p", d], port, "nginx").start()


def start_apache(tmp):
    d = os.path.join(tmp, "apache")
    os.mkdir(d)
    port = free_port()
    conf = os.path.join(d, "httpd.conf")
    mods = "/usr/lib/apache2/modules"
    with open(conf, "w") as f:
        f.write("ServerRoot %s\nServerName localhost\nListen 127.0.0.1:%d\nPidFile %s/pid\n"
                "ErrorLog %s/err\nMutex file:%s\nUser nobody\nGroup nogroup\n"
                "LoadModule mpm_event_module %s/mod_mpm_event.so\n"
                "LoadModule authz_core_module %s/mod_authz_core.so\n"
                "LoadModule status_module %s/mod_status.so\nExtendedStatus On\n"
                "<Location /server-status>\n SetHandler server-status\n Require all granted\n"
                "</Location>\n" % (d, port, d, d, d, mods, mods, mods))
    env = dict(os.environ, APACHE_RUN_DIR=d, APACHE_LOCK_DIR=d, APACHE_LOG_DIR=d)
    return Server(["/usr/sbin/apache2", "-f", conf, "-DFOREGROUND"], port, "apache2",
                  env=env).start()
