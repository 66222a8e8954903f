# p50/p95 of NewDay search per search form against a running sandbox (no Rust build needed):
#   target/release/custdesk sandbox --listen 127.0.0.1:18093 --db /tmp/1m.db --seed-customers 1000000
#   python3 benches/search_p95.py 100   # requests per form; SANDBOX_URL overrides the address
# The full Rust bench is benches/sandbox_http.rs.
import json, time, urllib.request, urllib.parse, random, sys
import os
U = os.environ.get("SANDBOX_URL", "http://127.0.0.1:18093")
t = json.load(urllib.request.urlopen(U + "/oauth2/token", urllib.parse.urlencode({"grant_type":"client_credentials","client_id":"agent","client_secret":"agent-secret"}).encode()))["access_token"]
def post(f):
    r = urllib.request.Request(U + "/customer-service/customers/search", json.dumps({"filter": f}).encode(), {"authorization": "Bearer " + t, "content-type": "application/json"})
    s = time.perf_counter(); b = urllib.request.urlopen(r).read(); d = time.perf_counter() - s
    return d, json.loads(b)["count"]
random.seed(7)
areas = ["SW","N","E","M","B","LS","BS","CF","EH","NR"]
outs = [a + str(random.randint(1,19)) for a in areas for _ in range(5)]
forms = {
 "postcodePrefix 2 chars": [{"postcodePrefix": o[:2]} for o in outs],
 "postcodePrefix outward": [{"postcodePrefix": o} for o in outs],
 "accountLastFour": [{"accountLastFour": "%04d" % random.randint(0,9999)} for _ in range(50)],
 "nameWords 3+3": [{"nameWords": w} for w in [["smi","wil"],["jon","dav"],["mur","sea"],["mül","han"],["bro","emi"],["ahm","jam"],["sch","pau"],["byr","eab"]]],
 "nameWords full": [{"nameWords": w} for w in [["smith","william"],["ahmed","james"],["schulz","paul"],["byrne","eabha"]]],
 "phone": [{"phoneNumber": p} for p in ["07274193770","+447871516001","0864024147","07700900123"]],
 "dateOfBirth": [{"dateOfBirth": d} for d in ["1975-04-23","1948-07-20","1940-05-06","1986-06-23","1984-03-09"]],
 "familyName full": [{"familyName": n} for n in ["Smith","Ahmed","Schulz","Byrne","Quartermaine"]],
 "familyName 1 letter": [{"familyName": n} for n in "SABMQ"],
}
n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
print(f"{'form':<26}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}{'mean count':>12}")
for name, fs in forms.items():
    for f in fs[:5]: post(f)
    lat = []; cnt = 0
    for i in range(n):
        d, c = post(fs[i % len(fs)]); lat.append(d); cnt += c
    lat.sort()
    p = lambda q: lat[min(len(lat)-1, int(len(lat)*q+0.999)-1)] * 1000
    print(f"{name:<26}{p(.5):8.2f}{p(.95):8.2f}{lat[-1]*1000:8.2f}{cnt/n:12.1f}")
