@allsafe @ALS-ALLOC
Feature: ALS-ALLOC - One voucher allocated per request, and never a voucher twice
  As an integrator, I allocate one voucher of a vendor and value and get a voucher my customer can
  redeem. Allocation consumes stock and is never invoiced twice: when I cannot tell whether an
  allocation happened, my integration must not resend it blindly but flag it for reconciliation.

  Background:
    Given a voucher type with vouchers left

  @critical
  Scenario: A voucher is allocated for a vendor and value
    When the integrator allocates one voucher of that type with its own reference
    Then the allocation returns one voucher with a code to redeem
    And the voucher is of the vendor and value asked, where the answer says so
    And the voucher has not expired, where the answer says when it expires
    And the run's ledger records the allocation as issued under its reference
    And the provider recorded exactly one allocation for the reference

  @critical
  Scenario: Two allocations of the same type hand out two different vouchers
    When the integrator allocates one voucher of that type twice
    Then the two vouchers differ in code and id

  @critical
  Scenario: An allocation whose response is lost is flagged for reconciliation, not retried
    Given the network will lose the response to the next allocation
    When the integrator allocates one voucher of that type with its own reference
    Then the allocation is reported as needing reconciliation under its reference
    And exactly one allocation request was sent
    And the run's ledger records the allocation's outcome as unknown under its reference
    And the provider recorded exactly one allocation for the reference

  @critical @sandbox_only
  Scenario: An allocation answered with a server error after allocating is flagged for reconciliation
    Given the provider will answer the next allocation with a server error after allocating
    When the integrator allocates one voucher of that type with its own reference
    Then the allocation is reported as needing reconciliation under its reference
    And exactly one allocation request was sent
    And the run's ledger records the allocation's outcome as unknown under its reference
    And the provider recorded exactly one allocation for the reference

  @critical @sandbox_only
  Scenario: An allocation answered with no content is flagged for reconciliation, not retried
    Given the provider will answer the next allocation with no content after allocating
    When the integrator allocates one voucher of that type with its own reference
    Then the allocation is reported as needing reconciliation under its reference
    And exactly one allocation request was sent
    And the run's ledger records the allocation's outcome as unknown under its reference
    And the provider recorded exactly one allocation for the reference

  @normal @sandbox_only
  Scenario: Parallel allocations for the last vouchers of a type never share a voucher
    Given a voucher type with exactly 3 vouchers left
    When the integrator makes 6 allocations of that type at the same time
    Then 3 vouchers were allocated, all different
    And the other 3 allocations were refused as out of stock
