import pytest
from django.urls import reverse

from tingsu.core.testing import PASSWORD

pytestmark = pytest.mark.django_db


def test_it_shows_the_login_page(client):
    response = client.get(reverse("desk:login"))
    assert response.status_code == 200
    assert 'name="password"' in response.content.decode()


def test_it_logs_in_and_lands_on_the_queue(client, world):
    response = client.post(reverse("desk:login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("desk:queue")
    assert client.get(reverse("desk:queue")).status_code == 200


def test_it_rejects_a_wrong_password(client, world):
    response = client.post(reverse("desk:login"), {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_it_logs_out_with_a_post(login, world):
    client = login(world.alice)
    response = client.post(reverse("desk:logout"))
    assert response.status_code == 302
    assert response.url == reverse("desk:login")
    assert client.get(reverse("desk:queue")).status_code == 302


def test_it_shows_the_users_name_role_and_department_in_the_nav(login, world):
    html = login(world.alice).get(reverse("desk:queue")).content.decode()
    assert "Alice" in html
    assert "Agent" in html
    assert "客服中心" in html
    assert reverse("desk:logout") in html


def test_it_shows_the_admin_link_only_to_admins(login, world):
    assert 'data-testid="admin-link"' not in login(world.carol).get("/desk/").content.decode()
    assert 'data-testid="admin-link"' in login(world.root).get("/desk/").content.decode()


def test_it_redirects_a_logged_in_user_away_from_the_login_page(login, world):
    response = login(world.alice).get(reverse("desk:login"))
    assert response.status_code == 302
