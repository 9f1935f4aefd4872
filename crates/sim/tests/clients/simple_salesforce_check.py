"""Drives the Salesforce simulator with the real `simple-salesforce` client, unchanged.

simple-salesforce always speaks https to `instance_url`, so this harness puts a small TLS
terminating proxy (self-signed certificate made with the openssl CLI, trusted through
REQUESTS_CA_BUNDLE) in front of the simulator's plain-HTTP listener. The library itself is not
patched. Inputs (environment): SF_INSTANCE_URL (http://127.0.0.1:port), SF_ACCESS_TOKEN,
SF_API_VERSION, SF_EXPECTED_CONTACTS. Prints `OK` and exits 0 when every check passes.
"""

import json
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
from urllib.parse import urlparse


def make_certificate(directory):
    cert = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
         "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True)
    return cert, key


def pipe(source, sink):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for s in (source, sink):
            try:
                s.close()
            except OSError:
                pass


def start_tls_proxy(target, cert, key):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)

    def handle(conn):
        try:
            tls = context.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError):
            conn.close()
            return
        upstream = socket.create_connection(target)
        threading.Thread(target=pipe, args=(tls, upstream), daemon=True).start()
        pipe(upstream, tls)

    def accept_loop():
        while True:
            conn, _ = listener.accept()
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    threading.Thread(target=accept_loop, daemon=True).start()
    return listener.getsockname()[1]


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def main():
    instance = urlparse(os.environ["SF_INSTANCE_URL"])
    token = os.environ["SF_ACCESS_TOKEN"]
    version = os.environ["SF_API_VERSION"]
    expected_contacts = int(os.environ["SF_EXPECTED_CONTACTS"])
    directory = tempfile.mkdtemp(prefix="sfsim-tls-")
    cert, key = make_certificate(directory)
    os.environ["REQUESTS_CA_BUNDLE"] = cert
    port = start_tls_proxy((instance.hostname, instance.port), cert, key)

    from simple_salesforce import Salesforce
    from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceResourceNotFound

    sf = Salesforce(instance_url=f"https://127.0.0.1:{port}", session_id=token, version=version)

    # query / query_more / query_all
    first = sf.query("SELECT Id, Name FROM Contact ORDER BY Id",
                     headers={"Sforce-Query-Options": "batchSize=200"})
    check(first["totalSize"] == expected_contacts, f"totalSize {first['totalSize']}")
    check(not first["done"] and len(first["records"]) == 200, "first batch of 200")
    ids = [r["Id"] for r in first["records"]]
    page = first
    while not page["done"]:
        page = sf.query_more(page["nextRecordsUrl"], identifier_is_url=True)
        ids.extend(r["Id"] for r in page["records"])
    check(len(ids) == expected_contacts and len(set(ids)) == expected_contacts, "paging lost or repeated rows")
    everything = sf.query_all("SELECT Id FROM Contact")
    check(everything["totalSize"] == expected_contacts, "query_all")
    check(len(list(sf.query_all_iter("SELECT Id FROM Contact"))) == expected_contacts, "query_all_iter")

    # Bulk API 2.0 through the client's bulk2 handler
    pages = list(sf.bulk2.Contact.query("SELECT Id, LastName FROM Contact", max_records=200, wait=0))
    bulk_rows = sum(len(page.splitlines()) - 1 for page in pages)
    check(bulk_rows == expected_contacts, f"bulk2 query rows {bulk_rows}")
    inserted = sf.bulk2.Contact.insert(records=[{"LastName": "Bulk1"}, {"LastName": "Bulk2"}], wait=0)
    check(inserted[0]["numberRecordsProcessed"] == 2 and inserted[0]["numberRecordsFailed"] == 0,
          f"bulk2 insert {inserted}")

    # CRUD
    created = sf.Contact.create({"LastName": "Py", "FirstName": "Simple", "Email": "py@example.com"})
    check(created["success"] and created["id"].startswith("003"), f"create {created}")
    cid = created["id"]
    got = sf.Contact.get(cid)
    check(got["Name"] == "Simple Py" and got["attributes"]["type"] == "Contact", "get")
    check(sf.Contact.update(cid, {"Title": "Client"}) == 204, "update")
    check(sf.Contact.get(cid)["Title"] == "Client", "update visible")
    check(sf.Contact.upsert("Desk_Id__c/PY-1", {"LastName": "Upserted"}) == 201, "upsert insert")
    check(sf.Contact.upsert("Desk_Id__c/PY-1", {"LastName": "Upserted 2"}) == 200, "upsert update")
    check(sf.Contact.get_by_custom_id("Desk_Id__c", "PY-1")["LastName"] == "Upserted 2", "get by ext id")
    check(sf.Contact.delete(cid) == 204, "delete")
    try:
        sf.Contact.get(cid)
        raise AssertionError("deleted record still readable")
    except SalesforceResourceNotFound as e:
        check(e.content[0]["errorCode"] == "ENTITY_IS_DELETED", f"deleted: {e.content}")
    deleted = sf.query_all(f"SELECT Id, IsDeleted FROM Contact WHERE Id = '{cid}'", include_deleted=True)
    check(deleted["totalSize"] == 1 and deleted["records"][0]["IsDeleted"], "queryAll sees the recycle bin")
    try:
        sf.Contact.create({"FirstName": "Nope"})
        raise AssertionError("missing LastName accepted")
    except SalesforceMalformedRequest as e:
        check(e.content[0]["errorCode"] == "REQUIRED_FIELD_MISSING", f"validation: {e.content}")

    # describe
    names = {o["name"] for o in sf.describe()["sobjects"]}
    check({"Account", "Contact", "Opportunity", "Task", "Event", "Note"} <= names, "describe global")
    fields = {f["name"]: f for f in sf.Contact.describe()["fields"]}
    check(fields["LastName"]["length"] == 80 and not fields["LastName"]["nillable"], "describe fields")
    check(fields["Desk_Id__c"]["externalId"], "custom external id")

    # composite and collections through the generic REST call
    composite = sf.restful("composite", method="POST", data=json.dumps({
        "allOrNone": True,
        "compositeRequest": [
            {"method": "POST", "url": f"/services/data/v{version}/sobjects/Account",
             "referenceId": "acct", "body": {"Name": "Py Co"}},
            {"method": "POST", "url": f"/services/data/v{version}/sobjects/Contact",
             "referenceId": "ct", "body": {"LastName": "Ref", "AccountId": "@{acct.id}"}},
        ]}))
    codes = [r["httpStatusCode"] for r in composite["compositeResponse"]]
    check(codes == [201, 201], f"composite {codes}")
    rows = sf.restful("composite/sobjects", method="POST", data=json.dumps({
        "allOrNone": False,
        "records": [{"attributes": {"type": "Contact"}, "LastName": "C1"},
                    {"attributes": {"type": "Contact"}, "FirstName": "bad"}]}))
    check(rows[0]["success"] and not rows[1]["success"], f"collections {rows}")
    check(rows[1]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING", "collections statusCode")
    limits = sf.limits()
    check(limits["DailyApiRequests"]["Max"] > 0, "limits")
    print("OK")


if __name__ == "__main__":
    try:
        main()
    except Exception as exc:  # noqa: BLE001 - report any failure to the Rust test
        print(f"FAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(1)
