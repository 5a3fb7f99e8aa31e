import pytest


@pytest.fixture
def customer(db):
    from tests.accounts.factories import UserFactory

    return UserFactory()


@pytest.fixture
def customer_client(client, customer):
    client.force_login(customer)
    return client
