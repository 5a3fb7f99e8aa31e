import pytest

from tests.accounts.factories import StaffFactory, UserFactory
from tests.accounts.utils import staff_login


@pytest.fixture
def customer(db):
    return UserFactory(email="ada@example.com")


@pytest.fixture
def customer_client(client, customer):
    staff_login(client, customer)
    return client


@pytest.fixture
def staff(db):
    return StaffFactory(email="staff@example.com")


@pytest.fixture
def staff_client(client, staff):
    staff_login(client, staff)
    return client
