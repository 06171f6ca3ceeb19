import pytest

from tingsu.core.testing import make_customer

pytestmark = pytest.mark.django_db

LIST = "/admin/customers/customer/"


def test_the_admin_finds_customers_by_exact_phone_or_email(world, client):
    wang = make_customer(name="王女士", phone="13812341234", email="wang@example.com")
    make_customer(name="李先生", phone="13900000000", email="li@example.com")
    client.force_login(world.root)
    by_phone = client.get(LIST, {"q": "138 1234 1234"}).content.decode()
    assert "王女士" in by_phone and "李先生" not in by_phone
    by_email = client.get(LIST, {"q": "WANG@example.com"}).content.decode()
    assert "王女士" in by_email and "李先生" not in by_email
    by_name = client.get(LIST, {"q": "李"}).content.decode()
    assert "李先生" in by_name and "王女士" not in by_name
    page = client.get(f"{LIST}{wang.pk}/change/")
    assert page.status_code == 200 and 'value="13812341234"' in page.content.decode()
