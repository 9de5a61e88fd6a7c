@v3 @IDEM
Feature: IDEM - Issue recovery using idempotency
  As an integrator, when I cannot tell whether an issuance happened, I resend the identical request
  with the same idempotency key and get the original vouchers back: production issuance is
  invoiced, so a retry must never issue twice. The key, not the body, names an issuance: the same key
  with another request is refused, and a new key with the same request issues new vouchers.

  Background:
    Given a product of the catalogue to issue, open-value if there is one

  @critical
  Scenario: The response is lost after the provider issued the vouchers
    Given the network will lose the response to the next issuance
    When the integrator issues 2 vouchers of the product with a new idempotency key
    Then the first attempt got no response
    And the retry with the same idempotency key returned the original vouchers as a replay
    And reading the vouchers back confirms them
    And the provider recorded exactly one issuance for the key

  @critical
  Scenario: The request is lost before it reached the provider
    Given the network will lose the next issuance request before it is sent
    When the integrator issues 2 vouchers of the product with a new idempotency key
    Then the first attempt never reached the provider
    And the retry with the same idempotency key issued the vouchers
    And reading the vouchers back confirms them
    And the provider recorded exactly one issuance for the key

  @critical @sandbox_only
  Scenario: The provider fails with a server error after issuing
    Given the provider will answer its next issuance with a server error after issuing
    When the integrator issues 2 vouchers of the product with a new idempotency key
    Then the first attempt was answered with a server error
    And the retry with the same idempotency key returned the original vouchers as a replay
    And reading the vouchers back confirms them
    And the provider recorded exactly one issuance for the key

  @critical @sandbox_only
  Scenario: A retry arrives while the first attempt is still being processed
    Given the provider will be slow to complete its next issuance
    When the integrator issues 1 voucher of the product and retries while the first attempt is in flight
    Then the retry in flight was refused without issuing
    And once the first attempt completed, a retry with the same key returned its vouchers as a replay
    And the provider recorded exactly one issuance for that key

  @critical
  Scenario: The same idempotency key with a different request is refused
    Given 1 voucher of the product was issued with a new idempotency key
    When the integrator sends a different request with the same idempotency key
    Then the different request is refused as a client error without vouchers
    And no voucher was issued
    And replaying the original request still returns the original vouchers

  @critical
  Scenario: The same idempotency key for another product is refused
    Given 1 voucher of the product was issued with a new idempotency key
    When the integrator sends the same request for another product with the same idempotency key
    Then the different request is refused as a client error without vouchers
    And no voucher was issued
    And replaying the original request still returns the original vouchers

  @critical
  Scenario: The same idempotency key at another face value is refused
    Given 1 voucher of the product was issued with a new idempotency key
    When the integrator sends the same request at another face value with the same idempotency key
    Then the different request is refused as a client error without vouchers
    And no voucher was issued
    And replaying the original request still returns the original vouchers

  @critical
  Scenario: A new idempotency key with the same request issues new vouchers
    Given 2 vouchers of the product were issued with a new idempotency key
    When the integrator sends the identical request with a new idempotency key
    Then new vouchers were issued, none of them among the earlier ones

  @critical
  Scenario: Three lost responses in a row, then success
    Given the network will lose the responses to the next 3 issuance attempts
    When the integrator issues 1 voucher of the product with a new idempotency key
    Then the issuance succeeded on attempt 4 with one idempotency key throughout
    And the retry with the same idempotency key returned the original vouchers as a replay
    And reading the vouchers back confirms them
    And the provider recorded exactly one issuance for the key
