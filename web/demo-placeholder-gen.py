import json, random, uuid, datetime as dt
random.seed(7)
def gid(): return str(uuid.UUID(int=random.getrandbits(128), version=4))
T0 = dt.datetime(2026,10,1,tzinfo=dt.timezone.utc)
users = ["jane.doe","bob.smith","alice.jones","carlos.ruiz","dana.lee","erik.larsen","fatima.khan","george.miller","hana.sato","ivan.petrov","julia.meyer","kofi.mensah","adm-lena","svc-backup"]
apps = [("Office 365 Exchange Online","00000002-0000-0ff1-ce00-000000000000"),("Microsoft Teams","1fec8e78-bce4-4aaf-ab1b-5451cc387264"),("Azure Portal","c44b4083-3bb0-49c1-b47d-974e53cbdf3c"),("SharePoint Online","00000003-0000-0ff1-ce00-000000000000"),("My Apps","2793995e-0a7d-40d7-bd35-6968ba142197")]
places = [("Seattle","Washington","US",47.61,-122.33,"198.51.100.20"),("New York","New York","US",40.71,-74.0,"198.51.100.21"),("London","England","GB",51.51,-0.13,"192.0.2.10"),("Manchester","England","GB",53.48,-2.24,"192.0.2.11")]
rows=[]
def signin(t,u,app,place,ip=None,client="Browser",code=0,reason=None,status_detail=None,req="singleFactorAuthentication",ca="success"):
    city,state,cc,lat,lon,pip = place
    return {"id":gid(),"createdDateTime":t.strftime("%Y-%m-%dT%H:%M:%SZ"),"userDisplayName":u.replace("."," ").title(),
      "userPrincipalName":f"{u}@contoso.com","userId":str(uuid.uuid5(uuid.NAMESPACE_DNS,u)),"appId":app[1],"appDisplayName":app[0],
      "ipAddress":ip or pip,"clientAppUsed":client,"correlationId":gid(),"conditionalAccessStatus":ca,"isInteractive":True,
      "resourceDisplayName":app[0],"resourceId":app[1],"userType":"Member","authenticationRequirement":req,
      "status":{"errorCode":code,"failureReason":reason or ("Other." if code==0 else "Invalid username or password or Invalid on-premise username or password."),"additionalDetails":status_detail},
      "deviceDetail":{"deviceId":"","displayName":"","operatingSystem":random.choice(["Windows10","MacOs","Ios","Android"]),"browser":random.choice(["Edge 141.0","Chrome 141.0","Safari 18"]),"isCompliant":False,"isManaged":False,"trustType":""},
      "location":{"city":city,"state":state,"countryOrRegion":cc,"geoCoordinates":{"altitude":None,"latitude":lat,"longitude":lon}},
      "appliedConditionalAccessPolicies":[],"riskLevelDuringSignIn":"none","riskState":"none","signInEventTypes":["interactiveUser"]}
for day in range(31):
    d = T0+dt.timedelta(days=day)
    if d.weekday()>=5 and random.random()<0.7: continue
    for u in users[:12]:
        for _ in range(random.randint(0,2)):
            t = d+dt.timedelta(hours=random.randint(7,18),minutes=random.randint(0,59),seconds=random.randint(0,59))
            place = places[users.index(u)%2] if users.index(u)%3 else places[2+users.index(u)%2]
            r = random.random()
            if r<0.06: rows.append(signin(t,u,random.choice(apps),place,code=50126))
            elif r<0.12: rows.append(signin(t,u,random.choice(apps),place,code=50074,reason="Strong Authentication is required.",status_detail="MFA required in Azure AD"))
            else: rows.append(signin(t,u,random.choice(apps),place,req="multiFactorAuthentication"))
# Password spray from 203.0.113.45 on 2026-10-14 01:02-01:20 UTC: 31 accounts failed, then jane.doe succeeded.
spray = ("Novosibirsk","Novosibirsk Oblast","RU",55.03,82.92,"203.0.113.45")
base = dt.datetime(2026,10,14,1,2,tzinfo=dt.timezone.utc)
targets = users[:12]+[f"user{i:02d}" for i in range(19)]
for i,u in enumerate(targets):
    rows.append(signin(base+dt.timedelta(seconds=35*i),u,apps[0],spray,client="Browser",code=50126,ca="notApplied"))
rows.append(signin(base+dt.timedelta(minutes=18,seconds=10),"jane.doe",apps[0],spray,client="Browser",ca="notApplied"))
# Legacy authentication: IMAP sign-in that succeeded.
imap = ("Amsterdam","Noord-Holland","NL",52.37,4.90,"198.51.100.7")
for k in range(3):
    rows.append(signin(dt.datetime(2026,10,21,3,10+k*7,tzinfo=dt.timezone.utc),"bob.smith",apps[0],imap,client="IMAP4",ca="notApplied"))
rows.sort(key=lambda r:r["createdDateTime"])
json.dump(rows, open("InteractiveSignIns_2026-10-01_2026-10-31.json","w"), separators=(",",":"))

aud=[]
def audit(t,activity,category,actor,target,ttype="User",props=None,result="success",service="Core Directory",details=None):
    return {"id":"Directory_"+gid().replace("-","")[:20],"category":category,"correlationId":gid(),"result":result,"resultReason":"",
      "activityDisplayName":activity,"activityDateTime":t.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]+"Z","loggedByService":service,"operationType":"Update",
      "initiatedBy":{"user":{"id":str(uuid.uuid5(uuid.NAMESPACE_DNS,actor)),"displayName":None,"userPrincipalName":actor,"ipAddress":"198.51.100.20"},"app":None},
      "targetResources":[{"id":gid(),"displayName":target,"type":ttype,"userPrincipalName":target if ttype=="User" else None,"modifiedProperties":props or []}],
      "additionalDetails":details or []}
for day in range(0,31,2):
    t=T0+dt.timedelta(days=day,hours=10)
    aud.append(audit(t,"Update user","UserManagement","adm-lena@contoso.com",f"{users[day%12]}@contoso.com",props=[{"displayName":"Department","oldValue":"[\"Sales\"]","newValue":"[\"Marketing\"]"}]))
aud.append(audit(dt.datetime(2026,10,9,22,41,tzinfo=dt.timezone.utc),"Update conditional access policy","Policy","jane.doe@contoso.com","Require MFA for all users","Policy",service="Conditional Access",
  props=[{"displayName":"ConditionalAccessPolicy","oldValue":"{\"state\":\"enabled\"}","newValue":"{\"state\":\"disabled\"}"}]))
aud.append(audit(dt.datetime(2026,10,14,1,25,tzinfo=dt.timezone.utc),"Add member to role","RoleManagement","jane.doe@contoso.com","jane.doe@contoso.com",
  props=[{"displayName":"Role.DisplayName","oldValue":None,"newValue":"\"Global Administrator\""}]))
aud.append(audit(dt.datetime(2026,10,16,9,0,tzinfo=dt.timezone.utc),"Add user","UserManagement","svc-backup@contoso.com","temp.contractor@contoso.com"))
aud.append(audit(dt.datetime(2026,10,16,13,30,tzinfo=dt.timezone.utc),"Delete user","UserManagement","svc-backup@contoso.com","temp.contractor@contoso.com"))
aud.append(audit(dt.datetime(2026,10,20,2,5,tzinfo=dt.timezone.utc),"Add service principal credentials","ApplicationManagement","jane.doe@contoso.com","Payroll Connector","ServicePrincipal",
  props=[{"displayName":"KeyDescription","oldValue":"[]","newValue":"[\"[KeyIdentifier=5d1e...,KeyType=Password,KeyUsage=Verify,DisplayName=x]\"]"}]))
aud.append(audit(dt.datetime(2026,10,22,15,0,tzinfo=dt.timezone.utc),"Invite external user","UserManagement","kofi.mensah@contoso.com","partner@fabrikam.example"))
aud.sort(key=lambda a:a["activityDateTime"])
json.dump(aud, open("AuditLogs_2026-10-01_2026-10-31.json","w"), separators=(",",":"))
print(len(rows), len(aud))
