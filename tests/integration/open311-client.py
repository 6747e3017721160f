"""
Drives this server's Open311 GeoReport v2 API with the `georeport` client library from PyPI
(pip install georeport==0.3.1), unchanged. Prints one JSON line with what the client read.

  open311-client.py BASE JURISDICTION create API_KEY   services, a definition, then one request
  open311-client.py BASE JURISDICTION status ID        the request's status in both formats

georeport has no call to create a request, so `create` posts the spec's form with `requests`,
the HTTP library georeport itself uses; everything else goes through georeport's calls.
"""
import json
import sys

import requests
from georeport import GeoReport

base, jurisdiction, command, arg = sys.argv[1:5]
as_json = GeoReport(base, jurisdiction=jurisdiction, output_format='json')
as_xml = GeoReport(base, jurisdiction=jurisdiction, output_format='xml')

if command == 'create':
    services = as_json.get_service_list()
    services_xml = as_xml.get_service_list()
    light = next(s for s in services if s['service_code'] == '030102')
    definition = as_json.get_service_definition('040101')
    definition_xml = as_xml.get_service_definition('040101')
    res = requests.post(f'{base}/requests.json', data={
        'jurisdiction_id': jurisdiction, 'api_key': arg, 'service_code': light['service_code'],
        'lat': '35.2981', 'long': '113.8702', 'address_string': '红旗区劳动路人民公园东门',
        'description': '公园东门的路灯不亮', 'first_name': '明', 'last_name': '赵', 'phone': '13700001234',
    })
    res.raise_for_status()
    print(json.dumps({
        'services': len(services), 'servicesXml': len(services_xml), 'light': light,
        'definitionCodes': [a['code'] for a in definition['attributes']],
        'definitionXmlCode': definition_xml['service_code'],
        'created': res.json(),
    }, ensure_ascii=False))
elif command == 'status':
    one = as_json.get_service_request(arg)
    one_xml = as_xml.get_service_request(arg)
    listed = as_json.get_service_requests(service_request_id=arg)
    print(json.dumps({'json': one, 'xml': one_xml, 'listed': listed}, ensure_ascii=False))
else:
    sys.exit(f'unknown command {command}')
